/*
 * SYSCALL entry and the first entry into user mode.
 *
 * SYSCALL (SDM Vol 2B) loads RIP from IA32_LSTAR and CS/SS from IA32_STAR, saves the user RIP
 * in RCX and RFLAGS in R11, masks RFLAGS with IA32_FMASK (we clear IF, so we start with
 * interrupts off) and does NOT switch stacks. So we SWAPGS to reach this CPU's PerCpu, park
 * the user RSP there, load the thread's kernel stack, and build a TrapFrame (trap_frame.h) so
 * the C++ side sees syscalls and traps alike.
 */
#include "arch/x86_64/syscall_defs.h"

    .intel_syntax noprefix
#include "arch/x86_64/trap_frame.inc"
    .text
    .global syscall_entry
syscall_entry:
    swapgs
    mov gs:[PERCPU_USER_RSP], rsp
    mov rsp, gs:[PERCPU_KERNEL_RSP]
    push USER_DS_SEL                /* ss */
    push qword ptr gs:[PERCPU_USER_RSP] /* rsp */
    push r11                        /* rflags */
    push USER_CS_SEL                /* cs */
    push rcx                        /* rip */
    push 0                          /* error code */
    push SYSCALL_VECTOR             /* "vector": marks a syscall frame */
    PUSH_GPRS
    mov rdi, rsp
    call syscall_dispatch           /* TrapFrame*: result in frame->rax */
    cli
    POP_GPRS
    add rsp, 16                     /* vector, error code */
    pop rcx                         /* user rip */
    add rsp, 8                      /* cs */
    pop r11                         /* user rflags */
    mov rsp, [rsp]                  /* user rsp */
    swapgs
    sysretq

/* enter_user(rip = RDI, rsp = RSI, arg = RDX): leave for ring 3 with IRETQ (SDM Vol 3A 7.14.4),
 * interrupts enabled there, all other registers zero. */
    .global enter_user
enter_user:
    cli
    push USER_DS_SEL
    push rsi
    push 0x202                      /* RFLAGS: IF, and the always-one bit 1 */
    push USER_CS_SEL
    push rdi
    mov rdi, rdx
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    swapgs
    iretq

    .section .note.GNU-stack, "", @progbits
