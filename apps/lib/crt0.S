/* Process entry: the kernel starts the first thread here with RDI = the argument string
 * (everything after the program name in its module line). */
    .intel_syntax noprefix
    .section .text.start, "ax"
    .global _start
_start:
    xor ebp, ebp
    and rsp, -16
    call vos_main                   /* int vos_main(const char* args) */
    mov edi, eax
    call vos_exit
    ud2

    .section .note.GNU-stack, "", @progbits
