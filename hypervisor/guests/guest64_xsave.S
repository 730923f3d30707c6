/*
 * Test guest for XSETBV exits: it enables CR4.OSXSAVE, checks that CPUID now reports OSXSAVE,
 * sets XCR0 = x87 | SSE with XSETBV (always exits; the hypervisor checks the value and loads it
 * for the guest), reads it back with XGETBV (no exit), reports (CPUID.1:ECX, XCR0) and halts.
 */
#include "core/arch/control_regs.h"

    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64
    .global guest_xsave_start, guest_xsave_end
guest_xsave_start:
    mov rax, cr4
    or rax, CR4_OSXSAVE
    mov cr4, rax
    mov eax, 1
    xor ecx, ecx
    cpuid
    mov r12d, ecx
    xor ecx, ecx
    mov eax, 3                  /* XCR0 = x87 | SSE */
    xor edx, edx
    xsetbv
    xor ecx, ecx
    xgetbv
    mov r13d, eax
    mov eax, 2                  /* HC_REPORT(CPUID.1:ECX, XCR0, 0) */
    mov rbx, r12
    mov rcx, r13
    xor edx, edx
    vmcall
    hlt
guest_xsave_end:

    .section .note.GNU-stack, "", @progbits
