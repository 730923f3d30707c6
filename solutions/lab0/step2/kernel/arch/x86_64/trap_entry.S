/*
 * Lab 0, step 2: trap entry: one small stub per IDT vector, and the common path that saves the
 * interrupted context as a TrapFrame (trap_frame.h), calls trap_dispatch(TrapFrame*) and
 * returns with IRETQ.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an error code (SDM Vol 3A
 * 7.14.2 and Table 7-1). Stubs for vectors without an error code push a 0 so every frame has
 * the same layout.
 */
    .intel_syntax noprefix
#include "arch/x86_64/trap_frame.inc"
    .text

/* Vectors whose exceptions push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14,
 * #AC 17, #CP 21, #VC 29, #SX 30. */
.macro TRAP_STUB n
    .balign 16
trap_stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    push 0
    .endif
    push \n
    jmp trap_common
.endm

    .balign 16
    .global trap_stub_base
trap_stub_base:
.altmacro
.set i, 0
.rept 256
    TRAP_STUB %i
    .set i, i + 1
.endr

trap_common:
    /* From user mode (CS.RPL = 3): switch GS base to this CPU's PerCpu (SDM Vol 2B, SWAPGS). */
    test byte ptr [rsp + 24], 3
    jz 1f
    swapgs
1:  PUSH_GPRS
    cld
    /* The CPU aligned RSP to 16 bytes before it pushed its 5 (or 6) quadwords (SDM Vol 3A
     * 7.14.2); with the error code, the vector and 15 registers that makes 22: still aligned,
     * as the C++ ABI wants at a CALL. */
    mov rdi, rsp                    /* TrapFrame* */
    call trap_dispatch
    POP_GPRS
    add rsp, 16                     /* vector and error code */
    test byte ptr [rsp + 8], 3      /* back to user mode: restore the user's GS base */
    jz 2f
    swapgs
2:  iretq

/* Each stub is 16-byte aligned and at most 12 bytes long, so stub n is at
 * trap_stub_base + 16 * n: the IDT builder computes addresses instead of keeping a table. */

    .section .note.GNU-stack, "", @progbits
