// Lab 0: walking the stack through saved frame pointers.
//
// The kernel is compiled with -fno-omit-frame-pointer, so every function starts with
//     push rbp ; mov rbp, rsp
// and the stack holds a linked list of frames (System V AMD64 ABI, 3.2.2):
//
//     rbp ->  [ saved rbp of the caller ]   --> the next frame up
//     rbp+8   [ return address into the caller ]
//
// walk_frames() follows that list. Since it runs inside panic(), on a stack that may be
// corrupt, it must never fault and never loop:
//   - stop at rbp == 0 (boot code sets RBP = 0 before calling kernel_main),
//   - stop at an rbp that is not 8-byte aligned,
//   - stop when read() fails (an unmapped address),
//   - stop when the next rbp is not strictly above the current one (stacks grow down, so
//     callers' frames are at higher addresses; this also breaks cycles),
//   - stop after `max` entries; a return address of 0 ends the walk too.
// Return addresses are stored innermost first: rips[0] is the return address in the caller of
// the function whose frame `rbp` is.
#include "core/backtrace.h"

namespace kern {

size_t walk_frames(uint64_t rbp, ReadWord read, uint64_t* rips, size_t max) {
    // TODO(lab0): follow the saved-rbp chain as described above.
    (void)rbp;
    (void)read;
    (void)rips;
    (void)max;
    return 0;
}

} // namespace kern
