/* Lab 3 solution: context_switch(save_rsp = RDI, next_rsp = RSI). See the skeleton's comment. */
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

    .section .note.GNU-stack, "", @progbits
