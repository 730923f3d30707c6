// Lab 3, step 2: a new thread's first stack.
//
// build_initial_stack() (contract in initial_stack.h) prepares a stack that your
// context_switch (arch/x86_64/sched/context_switch.S) can switch to as if the thread had been
// suspended there: the layout of a suspended thread's stack is the contract between the two
// files, and both are yours.
#include "core/thread/initial_stack.h"

namespace kern {

uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, void (*fn)(void*), void* arg) {
    // TODO(lab3)
    (void)stack_base;
    (void)stack_size;
    (void)fn;
    (void)arg;
    return 0;
}

} // namespace kern
