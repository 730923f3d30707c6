/*
 * Test guests in the two older CPU modes, run with "unrestricted guest" (SDM Vol 3C 26.6):
 * a real-mode guest (CS:IP = 1000:0000, so linear = 0x10000 + offset) and a flat 32-bit
 * protected-mode guest without paging (loaded at linear 0x10000). Each prints through a
 * hypercall, reports CPUID.1:ECX, and halts.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
#define LOAD 0x10000

    .global guest_real16_start, guest_real16_end
    .code16
guest_real16_start:
    mov eax, 1
    xor ecx, ecx
    cpuid
    mov esi, ecx
    mov eax, 1                                  /* HC_PRINT */
    mov ebx, LOAD + (real_text - guest_real16_start)
    mov ecx, real_text_end - real_text
    vmcall
    mov eax, 2                                  /* HC_REPORT(CPUID.1:ECX, 16, 0) */
    mov ebx, esi
    mov ecx, 16
    xor edx, edx
    vmcall
    hlt
real_text:
    .ascii "hello from a real-mode guest"
real_text_end:
guest_real16_end:

    .global guest_prot32_start, guest_prot32_end
    .code32
guest_prot32_start:
    mov eax, 1
    xor ecx, ecx
    cpuid
    mov esi, ecx
    mov eax, 1                                  /* HC_PRINT */
    mov ebx, LOAD + (prot_text - guest_prot32_start)
    mov ecx, prot_text_end - prot_text
    vmcall
    mov eax, 2                                  /* HC_REPORT(CPUID.1:ECX, 32, 0) */
    mov ebx, esi
    mov ecx, 32
    xor edx, edx
    vmcall
    hlt
prot_text:
    .ascii "hello from a 32-bit protected-mode guest"
prot_text_end:
guest_prot32_end:

    .section .note.GNU-stack, "", @progbits
