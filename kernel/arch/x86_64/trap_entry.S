/*
 * Lab 0, step 2: trap entry: the code every IDT gate leads to (idt.cc), from the moment the
 * CPU has pushed its part of the frame until IRETQ.
 *
 * The contract, for every vector 0-255:
 *  - Build a TrapFrame (trap_frame.h) on the stack: the CPU pushes SS, RSP, RFLAGS, CS, RIP
 *    and, for some exceptions only, an error code (SDM Vol 3A 7.14.2; Table 7-1 says which
 *    vectors push one). Make every frame alike: the error code 0 where the CPU pushes none,
 *    then the vector, then the 15 general-purpose registers in TrapFrame's order
 *    (trap_frame.inc has PUSH_GPRS and POP_GPRS for them).
 *  - Call trap_dispatch(TrapFrame*) (trap.h) as the C++ ABI expects a call: the stack aligned
 *    to 16 bytes at the CALL, RFLAGS.DF clear.
 *  - Resume from the frame as trap_dispatch left it, which may differ from what you saved: a
 *    probe's fault resumes at its fix-up (a new RIP), a handler may change registers. Every
 *    register comes back from the frame; the vector and error code are dropped; IRETQ.
 *  - From user mode (the saved CS's RPL is 3), GS must point at this CPU's PerCpu while
 *    trap_dispatch runs, and at the user's GS base again when IRETQ returns (SWAPGS, SDM Vol
 *    2B; the syscall path in syscall_entry.S does the same).
 * Interrupts stay off from the gate to IRETQ (the gates are interrupt gates).
 */
    .intel_syntax noprefix
#include "arch/x86_64/trap_frame.inc"
    .text

/* TODO(lab0): the entry code for vectors 0-255, and what they share. */

    .section .note.GNU-stack, "", @progbits
