/*
 * Test guest for CR-access exits: it reads CR4 (VMX forces CR4.VMXE on, but the guest must see
 * its own value, from the read shadow: VMXE clear), then sets CR4.PGE (a bit it owns: no exit)
 * and CR4.VMXE (a host-owned bit whose shadow changes: a CR-access exit, emulated), reads CR4
 * back (both set, as far as it can tell), and reports CR4 before and after and CR0, then halts.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64
    .global guest_cr_start, guest_cr_end
guest_cr_start:
    mov r12, cr4
    mov rax, r12
    or rax, 0x2080               /* PGE | VMXE */
    mov cr4, rax
    mov r13, cr4
    mov rbx, cr0
    mov eax, 2                   /* HC_REPORT(CR4 before, CR4 after, CR0) */
    mov rdx, rbx
    mov rbx, r12
    mov rcx, r13
    vmcall
    hlt
guest_cr_end:

    .section .note.GNU-stack, "", @progbits
