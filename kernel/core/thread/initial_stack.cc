// Lab 3: a new thread's first stack frame.
//
// context_switch (arch/x86_64/sched/context_switch.S, also yours) resumes a thread by loading
// its saved RSP, popping r15, r14, r13, r12, rbx, rbp and executing `ret`. A thread that has
// never run must therefore own a stack that already looks like that: a SwitchFrame
// (core/thread/initial_stack.h) at its top whose rip is the start routine.
//
//   high addresses  stack_base + stack_size
//                   [ padding so that RSP is 16-byte aligned after the ret ]
//                   [ rip = start ]   <- after `ret`, RSP points just above this
//                   [ rbp = 0 ]
//                   [ rbx = 0 ]
//                   [ r12 = arg ]
//                   [ r13 = fn ]
//                   [ r14 = 0 ]
//   returned RSP -> [ r15 = 0 ]
//   low addresses   stack_base
#include "core/thread/initial_stack.h"

namespace kern {

uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, uint64_t start, uint64_t fn,
                             uint64_t arg) {
    // TODO(lab3): check the arguments, place a SwitchFrame so that RSP after its `ret` is a
    // multiple of 16, fill it in, return its address.
    (void)stack_base;
    (void)stack_size;
    (void)start;
    (void)fn;
    (void)arg;
    return 0;
}

} // namespace kern
