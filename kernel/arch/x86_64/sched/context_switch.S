/*
 * Lab 3, step 2: switching from one thread's kernel stack to another's.
 *
 *   void context_switch(uint64_t* save_rsp, uint64_t next_rsp);   (sched/context_switch.h)
 *
 * The contract is in context_switch.h; what a thread that has never run looks like is yours
 * to design, with build_initial_stack() (core/thread/initial_stack.cc): whatever your switch
 * expects to find on a suspended thread's stack, a new thread's stack must hold too, so that
 * the first switch to it starts it. Code a new thread starts in (to call fn(arg) as the ABI
 * wants) can live in this file.
 */
    .intel_syntax noprefix
    .text
    .global context_switch
context_switch:
    /* TODO(lab3): save, switch stacks, restore. Until then, stop loudly. */
    ud2

    .section .note.GNU-stack, "", @progbits
