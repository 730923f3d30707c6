/*
 * Test guest for the I/O and MSR bitmaps: port 0x80 (the POST-code port, harmless) and RDMSR of
 * IA32_TIME_STAMP_COUNTER (0x10) are passed through and must not exit; port 0x81 is not and
 * must. Reports (TSC read through RDMSR, 0, 0) and halts.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64
    .global guest_passthrough_start, guest_passthrough_end
guest_passthrough_start:
    mov al, 0x42
    out 0x80, al                /* passed through: no exit */
    out 0x81, al                /* intercepted: an I/O exit */
    mov ecx, 0x10
    rdmsr                       /* passed through: the real TSC */
    shl rdx, 32
    or rax, rdx
    mov rbx, rax
    mov eax, 2                  /* HC_REPORT(tsc, 0, 0) */
    xor ecx, ecx
    xor edx, edx
    vmcall
    hlt
guest_passthrough_end:

    .section .note.GNU-stack, "", @progbits
