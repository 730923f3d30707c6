/*
 * FPU state-integrity test guest (guests=fpu, hypervisor/fpu_guests.cc). It enables SSE and AVX
 * (CR4.OSFXSR, OSXMMEXCPT, OSXSAVE; XCR0 = x87 | SSE | AVX), then for ITERATIONS rounds: fills
 * YMM0-15, ST0-ST7, the x87 control word and MXCSR with new values (an xorshift seeded by the
 * TSC), keeps them across two VMCALLs and a spin (timer interrupts exit meanwhile, and the
 * master may run another guest, e.g. the babysat Linux slave, on this CPU), stores them and
 * compares. Its own registers must survive the other guests; the other guests' must survive it.
 * Reports HC_REPORT(rounds, mismatches, first mismatch: (round + 1) << 16 | byte offset in the
 * image: 0-511 YMMi at 32 i, 512-575 the x87 values, 576 FCW, 580 MXCSR), then halts.
 */
#include "core/arch/control_regs.h"

    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64
    .global guest_fpu_start, guest_fpu_end
    .set ITERATIONS, 12
    .set SPIN, 40000
    .set WANT, 0x200000        /* the expected image, 584 bytes (under EPT: guest-physical) */
    .set GOT, 0x201000         /* what came back */
    .set IMAGE_QWORDS, 73
guest_fpu_start:
    mov r12, rsi               /* RAM base (0 under EPT) */
    mov rax, cr4
    or rax, CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE
    mov cr4, rax
    xor ecx, ecx
    mov eax, 7                 /* XCR0 = x87 | SSE | AVX (exits: the hypervisor checks and keeps it) */
    xor edx, edx
    xsetbv
    xor r14d, r14d             /* mismatches */
    xor r13d, r13d             /* the first one */
    xor r15d, r15d             /* round */
1:  rdtsc
    shl rdx, 32
    or rax, rdx
    xor rax, r15
    or rax, 1
    mov rbx, rax               /* xorshift state */
    lea rdi, [r12 + WANT]
    mov ecx, 72                /* YMM0-15 and 8 x87 values */
2:  mov rax, rbx
    shl rax, 13
    xor rbx, rax
    mov rax, rbx
    shr rax, 7
    xor rbx, rax
    mov rax, rbx
    shl rax, 17
    xor rbx, rax
    mov [rdi], rbx
    add rdi, 8
    dec ecx
    jnz 2b
    lea rdi, [r12 + WANT + 512]   /* the x87 values as doubles in [1, 2): FLD/FSTP keep them */
    mov ecx, 8
    mov rdx, 0x3FF0000000000000
3:  mov rax, [rdi]
    shr rax, 12
    or rax, rdx
    mov [rdi], rax
    add rdi, 8
    dec ecx
    jnz 3b
    mov dword ptr [r12 + WANT + 576], 0x0F7F   /* FCW: 64-bit precision, round toward zero */
    mov dword ptr [r12 + WANT + 580], 0x7F80   /* MXCSR: round toward zero (not the defaults) */
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu ymm\i, [r12 + WANT + 32 * \i]
    .endr
    fninit
    fldcw [r12 + WANT + 576]
    .irp k, 0,1,2,3,4,5,6,7
    fld qword ptr [r12 + WANT + 512 + 8 * \k]
    .endr
    ldmxcsr [r12 + WANT + 580]
    mov eax, 0x7777            /* an unknown hypercall: an exit, answered -ENOSYS */
    vmcall
    mov ecx, SPIN
4:  dec ecx
    jnz 4b
    mov eax, 0x7777
    vmcall
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu [r12 + GOT + 32 * \i], ymm\i
    .endr
    .irp k, 7,6,5,4,3,2,1,0
    fstp qword ptr [r12 + GOT + 512 + 8 * \k]
    .endr
    mov qword ptr [r12 + GOT + 576], 0
    fnstcw [r12 + GOT + 576]
    stmxcsr [r12 + GOT + 580]
    lea rsi, [r12 + WANT]
    lea rdi, [r12 + GOT]
    mov ecx, IMAGE_QWORDS
    cld
    repe cmpsq
    je 5f
    inc r14
    test r13, r13
    jnz 5f
    lea r13, [r15 + 1]
    shl r13, 16
    lea rax, [r12 + WANT + 8]
    sub rsi, rax               /* byte offset of the differing qword */
    or r13, rsi
5:  inc r15
    cmp r15, ITERATIONS
    jb 1b
    mov eax, 2                 /* HC_REPORT(rounds, mismatches, first) */
    mov rbx, r15
    mov rcx, r14
    mov rdx, r13
    vmcall
    hlt
guest_fpu_end:

    .section .note.GNU-stack, "", @progbits
