/*
 * Lab 3: switching from one thread's kernel stack to another's.
 *
 *   void context_switch(uint64_t* save_rsp, uint64_t next_rsp);   (sched/context_switch.h)
 *
 * Called by the scheduler with interrupts disabled. It must:
 *   1. push the callee-saved registers the SysV ABI says a function must preserve
 *      (rbp, rbx, r12, r13, r14, r15 -- in that order, so the stack then matches the
 *      SwitchFrame in core/thread/initial_stack.h: r15 at the lowest address),
 *   2. store RSP into *save_rsp (RDI),
 *   3. load RSP from next_rsp (RSI),
 *   4. pop the same registers in reverse order and `ret`, which continues the other thread
 *      where it called context_switch, or, for a new thread, at its start routine.
 * Caller-saved registers need no saving: the compiler assumes a call clobbers them.
 */
    .intel_syntax noprefix
    .text
    .global context_switch
context_switch:
    /* TODO(lab3): the four steps above. Until then, stop loudly. */
    ud2

    .section .note.GNU-stack, "", @progbits
