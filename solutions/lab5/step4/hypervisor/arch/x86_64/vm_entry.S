/*
 * Lab 5, step 4 solution: VM entry and VM exit (SDM Vol 3C chapters 27 and 28).
 *
 * vmx_enter(GuestRegs* regs = RDI, int resume = ESI):
 *   saves the host's callee-saved registers and the GuestRegs pointer on the host stack,
 *   writes HOST_RSP (so the VM exit lands on this very stack), loads the guest's GPRs and CR2,
 *   and executes VMLAUNCH or VMRESUME. If that fails, execution continues right after it with
 *   RFLAGS telling why (CF: VMfailInvalid, ZF: VMfailValid).
 * vmx_exit_entry (HOST_RIP): the CPU arrives with the guest's GPRs still in the registers and
 *   RSP = HOST_RSP; the GuestRegs pointer is at [RSP]. Save the guest's registers, restore the
 *   host's, and return 0 from vmx_enter.
 */
#define VMCS_HOST_RSP 0x6C14

    .intel_syntax noprefix
    .text
    .global vmx_enter, vmx_exit_entry
vmx_enter:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                        /* [rsp] = GuestRegs* */
    mov rax, VMCS_HOST_RSP
    vmwrite rax, rsp
    jbe .Lfail                      /* CF or ZF: the vmwrite itself failed */

    mov rax, [rdi + 120]            /* guest CR2 */
    mov cr2, rax
    test esi, esi
    mov rax, [rdi + 0]
    mov rbx, [rdi + 8]
    mov rcx, [rdi + 16]
    mov rdx, [rdi + 24]
    mov rsi, [rdi + 32]
    mov rbp, [rdi + 48]
    mov r8,  [rdi + 56]
    mov r9,  [rdi + 64]
    mov r10, [rdi + 72]
    mov r11, [rdi + 80]
    mov r12, [rdi + 88]
    mov r13, [rdi + 96]
    mov r14, [rdi + 104]
    mov r15, [rdi + 112]
    mov rdi, [rdi + 40]             /* last: RDI held the pointer */
    jnz 1f                          /* flags from `test esi, esi` (MOVs leave flags alone) */
    vmlaunch
    jmp .Lfail
1:  vmresume
.Lfail:
    /* The VMWRITE or the VM entry failed: the host's registers are on the stack. */
    pushfq
    pop rax
    add rsp, 8                      /* drop the GuestRegs pointer */
    test eax, 1                     /* CF */
    mov eax, 2                      /* VMfailValid (MOV leaves the flags alone) */
    jz .Lrestore_host
    mov eax, 1                      /* VMfailInvalid */
    jmp .Lrestore_host

vmx_exit_entry:
    xchg rdi, [rsp]                 /* rdi = GuestRegs*, [rsp] = guest RDI */
    mov [rdi + 0], rax
    mov [rdi + 8], rbx
    mov [rdi + 16], rcx
    mov [rdi + 24], rdx
    mov [rdi + 32], rsi
    mov [rdi + 48], rbp
    mov [rdi + 56], r8
    mov [rdi + 64], r9
    mov [rdi + 72], r10
    mov [rdi + 80], r11
    mov [rdi + 88], r12
    mov [rdi + 96], r13
    mov [rdi + 104], r14
    mov [rdi + 112], r15
    mov rax, cr2
    mov [rdi + 120], rax
    pop rax                         /* guest RDI */
    mov [rdi + 40], rax
    xor eax, eax                    /* a VM exit */
.Lrestore_host:                     /* the host's callee-saved registers; EAX: the result */
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

    .section .note.GNU-stack, "", @progbits
