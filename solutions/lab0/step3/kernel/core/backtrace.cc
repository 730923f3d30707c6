// Lab 0 solution: walking the stack through saved frame pointers (System V AMD64 ABI 3.2.2).
#include "core/backtrace.h"

namespace kern {

size_t walk_frames(uint64_t rbp, ReadWord read, uint64_t* rips, size_t max) {
    size_t n = 0;
    while (n < max && rbp != 0 && rbp % 8 == 0) {
        uint64_t next_rbp, rip;
        if (!read(rbp, &next_rbp) || !read(rbp + 8, &rip) || rip == 0) break;
        rips[n++] = rip;
        if (next_rbp <= rbp) break; // not further up the stack: corrupt, or a cycle
        rbp = next_rbp;
    }
    return n;
}

} // namespace kern
