// Lab 3, step 2: a new thread's first stack (see core/thread/initial_stack.h).
//
// context_switch (context_switch.S) resumes a thread by loading its saved RSP, popping R15,
// R14, R13, R12, RBX, RBP and executing `ret`. A new thread's stack holds that frame with the
// return address at thread_start, which calls R13(R12):
//
//   high addresses  stack_base + stack_size
//                   [ padding so that RSP is 16-byte aligned after the ret ]
//                   [ rip = thread_start ]   <- after `ret`, RSP points just above this
//                   [ rbp = 0 ]
//                   [ rbx = 0 ]
//                   [ r12 = arg ]
//                   [ r13 = fn ]
//                   [ r14 = 0 ]
//   returned RSP -> [ r15 = 0 ]
//   low addresses   stack_base
#include "core/thread/initial_stack.h"

extern "C" char thread_start[]; // context_switch.S

namespace kern {

namespace {
/// A suspended thread's stack, lowest address first (context_switch.S pushes it).
struct SwitchFrame {
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t rip; // where context_switch's `ret` goes
};
} // namespace

uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, void (*fn)(void*), void* arg) {
    uint64_t base = reinterpret_cast<uint64_t>(stack_base);
    if (base % 16 || stack_size < sizeof(SwitchFrame) + 16) return 0;
    // After `ret` pops rip, RSP = frame + sizeof(SwitchFrame) must be 16-aligned: put that
    // point at the highest 16-aligned address within the stack.
    uint64_t after_ret = (base + stack_size) & ~uint64_t(15);
    auto* f = reinterpret_cast<SwitchFrame*>(after_ret - sizeof(SwitchFrame));
    *f = SwitchFrame{};
    f->r12 = reinterpret_cast<uint64_t>(arg);
    f->r13 = reinterpret_cast<uint64_t>(fn);
    f->rip = reinterpret_cast<uint64_t>(thread_start);
    return reinterpret_cast<uint64_t>(f);
}

} // namespace kern
