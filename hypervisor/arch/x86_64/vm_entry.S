/*
 * Lab 5, step 4: VM entry and VM exit (SDM Vol 3C chapters 27 and 28).
 *
 * int vmx_enter(GuestRegs* regs = RDI, int resume = ESI)   (vm_entry.h, the System V ABI)
 *   Enter the guest of the current VMCS: VMLAUNCH if resume is 0, VMRESUME otherwise, with the
 *   guest's general registers and CR2 loaded from *regs (GuestRegs, core/guest_regs.h: RAX at
 *   offset 0, RBX 8, RCX 16, RDX 24, RSI 32, RDI 40, RBP 48, R8 56 ... R15 112, CR2 120; the
 *   VMCS holds only RSP, RIP and RFLAGS, SDM 25.4.1, and VM entry does not load CR2).
 *   Returns 0 (EntryResult::vm_exit) once the guest has exited, with the guest's registers and
 *   CR2 saved back into *regs; 1 (fail_invalid) if VMLAUNCH/VMRESUME failed with
 *   VMfailInvalid (CF = 1), 2 (fail_valid) with VMfailValid (ZF = 1), SDM 31.2. In every case
 *   the callee-saved registers (RBX, RBP, R12-R15) and RSP are the caller's again on return.
 *
 * vmx_exit_entry   (the VMCS's HOST_RIP)
 *   Where the CPU continues after every VM exit: RSP = HOST_RSP, every general register still
 *   the guest's (SDM 28.5: a VM exit loads RSP and RIP, not the others), interrupts off. It
 *   must make vmx_enter return 0 to its caller as if it had returned normally.
 *
 * HOST_RSP (VMCS field 0x6C14) is what makes the two meet: write it with VMWRITE from inside
 * vmx_enter, just before entering, so that the exit lands on vmx_enter's own stack frame.
 *
 * Until this is written, vmx_enter answers 3 (EntryResult::not_written) and no guest runs.
 */
#define VMCS_HOST_RSP 0x6C14

    .intel_syntax noprefix
    .text
    .global vmx_enter, vmx_exit_entry
vmx_enter:
    /* TODO(lab5 step 4) */
    mov eax, 3
    ret

vmx_exit_entry:
    /* TODO(lab5 step 4): never reached until vmx_enter enters a guest */
    ud2

    .section .note.GNU-stack, "", @progbits
