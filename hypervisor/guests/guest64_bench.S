/*
 * Benchmark guest: the round trip of a CPUID exit and of a VMCALL exit, timed with RDTSC
 * inside the guest (RDTSC does not exit and the TSC offset is 0, so it reads the host's TSC).
 * Reports HC_REPORT(cycles per CPUID, cycles per VMCALL, iterations), then halts.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64
    .global guest_bench_start, guest_bench_end
    .set ITERATIONS, 1000
guest_bench_start:
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r12, rax
    mov r15d, ITERATIONS
1:  xor eax, eax
    cpuid
    dec r15d
    jnz 1b
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r12
    xor edx, edx
    mov ecx, ITERATIONS
    div rcx
    mov r13, rax            /* cycles per CPUID round trip */

    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r12, rax
    mov r15d, ITERATIONS
2:  mov eax, 0x7777         /* an unknown hypercall: the shortest VMCALL path */
    vmcall
    dec r15d
    jnz 2b
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r12
    xor edx, edx
    mov ecx, ITERATIONS
    div rcx
    mov r14, rax            /* cycles per VMCALL round trip */

    mov eax, 2              /* HC_REPORT */
    mov rbx, r13
    mov rcx, r14
    mov edx, ITERATIONS
    vmcall
    hlt
guest_bench_end:

    .section .note.GNU-stack, "", @progbits
