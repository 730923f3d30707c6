/*
 * Hostile test guests for lab 6: each tries to escape its sandbox one way. They are 64-bit,
 * position independent, and start with RDI = size of guest RAM and RSI = guest-physical base
 * of guest RAM (run_guest's launch convention). Under EPT their page tables map guest-virtual
 * = guest-physical for the first 4 GiB, so nothing but EPT stands between them and the
 * addresses they try.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64

/* Write to every page above guest RAM, one per 4 KiB, upwards. EPT must stop the first. */
    .global guest_attack_write_start, guest_attack_write_end
guest_attack_write_start:
    lea rbx, [rsi + rdi]
1:  mov qword ptr [rbx], 0x6666
    add rbx, 4096
    jmp 1b
guest_attack_write_end:

/* Read the master's local APIC page (host-physical 0xFEE00000) and its kernel at 1 MiB
 * translated as guest-physical: only the first (outside RAM) reaches EPT. */
    .global guest_attack_read_start, guest_attack_read_end
guest_attack_read_start:
    mov rbx, 0xFEE00000
    mov rax, [rbx]
    mov eax, 2              /* HC_REPORT: we should never get here */
    mov rbx, 0xBAD
    vmcall
    hlt
guest_attack_read_end:

/* Ports and MSRs that would stop or reconfigure the master's machine if they reached it:
 * Bochs' shutdown port 0x8900, QEMU's isa-debug-exit 0xF4, COM1, the PIC, IA32_EFER and
 * IA32_APIC_BASE. Each must exit to the hypervisor and be dropped; then report and halt. */
    .global guest_attack_io_start, guest_attack_io_end
guest_attack_io_start:
    mov dx, 0x8900
    mov al, 'S'
    out dx, al
    mov al, 'h'
    out dx, al
    mov al, 'u'
    out dx, al
    mov al, 't'
    out dx, al
    mov al, 'd'
    out dx, al
    mov al, 'o'
    out dx, al
    mov al, 'w'
    out dx, al
    mov al, 'n'
    out dx, al
    mov dx, 0xF4
    mov eax, 0x11
    out dx, eax
    mov al, 0xFF
    out 0x21, al            /* mask the master's PIC */
    mov dx, 0x3F8
    in al, dx
    mov r12, rax            /* what COM1 "returned" */
    mov ecx, 0xC0000080     /* IA32_EFER := 0 would end long mode */
    xor eax, eax
    xor edx, edx
    wrmsr
    mov ecx, 0x1B           /* IA32_APIC_BASE := 0 would disable the master's LAPIC */
    wrmsr
    rdmsr
    mov r13, rax
    mov eax, 2              /* HC_REPORT(COM1 read, APIC_BASE read, 0) */
    mov rbx, r12
    mov rcx, r13
    xor edx, edx
    vmcall
    hlt
guest_attack_io_end:

/* Spin forever with interrupts off: only the hypervisor's time budget stops it. */
    .global guest_spin_start, guest_spin_end
guest_spin_start:
    cli
1:  jmp 1b
guest_spin_end:

/* Triple fault: an empty IDT, then an exception. */
    .global guest_triple_fault_start, guest_triple_fault_end
guest_triple_fault_start:
    push 0
    push 0
    lidt [rsp + 6]          /* limit 0 */
    ud2
guest_triple_fault_end:

    .section .note.GNU-stack, "", @progbits
