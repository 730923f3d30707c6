/*
 * Lab 3, step 2: switching from one thread's kernel stack to another's.
 *
 *   void context_switch(uint64_t* save_rsp, uint64_t next_rsp);   (sched/context_switch.h)
 *
 * A suspended thread's stack, lowest address first: R15, R14, R13, R12, RBX, RBP (the
 * registers the SysV ABI says a call preserves, 3.2.1), then the return address into its
 * context_switch() call. A new thread's stack (initial_stack.cc) holds the same, with the
 * return address at thread_start, R12 = the argument and R13 = the function.
 */
    .intel_syntax noprefix
    .text
    .global context_switch
context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

/* A new thread's first instruction: RSP is 16-byte aligned here (initial_stack.cc), so the
 * CALL enters fn as the ABI wants; RBP is 0 from the frame, ending backtraces. */
    .global thread_start
thread_start:
    mov rdi, r12
    call r13
    ud2                         /* fn never returns */

    .section .note.GNU-stack, "", @progbits
