/* Where a new thread begins: build_initial_stack() made context_switch "return" here with
 * r12 = argument and r13 = the function (thread_main in sched/thread.cc), RSP 16-aligned. */
    .intel_syntax noprefix
    .text
    .global thread_start
thread_start:
    mov rdi, r12
    call r13
    ud2                         /* thread_main never returns */

    .section .note.GNU-stack, "", @progbits
