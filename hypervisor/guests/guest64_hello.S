/*
 * Test guest: 64-bit, position independent (RIP-relative only), entered with paging on and
 * RSP at the top of its RAM. It exercises the lab 5 exits: CPUID (and checks what the
 * hypervisor shows it), a VMCALL that prints, a VMCALL with a bad number, then HLT.
 *
 * Hypercall ABI (hypervisor/core/hypercall.h): RAX = number, RBX/RCX/RDX = arguments; the
 * result comes back in RAX (negative = -errno).
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .global guest64_hello_start, guest64_hello_end
    .code64
guest64_hello_start:
    /* CPUID leaf 1: the hypervisor must hide VMX (ECX bit 5) and set the hypervisor bit (31). */
    mov eax, 1
    xor ecx, ecx
    cpuid
    mov r12d, ecx
    /* Hypervisor leaf 0x40000000: signature in EBX, ECX, EDX. */
    mov eax, 0x40000000
    cpuid
    mov r13d, ebx
    /* Print through the hypervisor: RBX = guest address of the text, RCX = length. */
    mov eax, 1
    lea rbx, [rip + hello_text]
    mov ecx, hello_text_end - hello_text  /* a constant: difference of two labels */
    vmcall
    mov r14, rax
    /* An unknown hypercall must come back as an error, not stop the guest. */
    mov eax, 0x7777
    vmcall
    mov r15, rax
    /* Report what we saw: HC_REPORT (2) with RBX = leaf-1 ECX, RCX = signature EBX,
     * RDX = result of the unknown call. */
    mov eax, 2
    mov ebx, r12d
    mov ecx, r13d
    mov rdx, r15
    vmcall
    hlt
    jmp guest64_hello_start
hello_text:
    .ascii "hello from a 64-bit guest"
hello_text_end:
guest64_hello_end:

    .section .note.GNU-stack, "", @progbits
