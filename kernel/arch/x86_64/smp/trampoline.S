/*
 * The AP start-up trampoline. An AP woken by INIT-SIPI-SIPI starts in 16-bit real mode at
 * CS:IP = (vector << 8):0000 (SDM Vol 3A 9.4.4 and 11.6.1 "Start-Up IPI"); smp.cc copies this
 * code to the page TRAMPOLINE_PHYS (vector 0x08 -> 0x8000) and fills in the parameter block.
 * The code walks the same road as the BSP did: real mode -> protected mode -> long mode, then
 * jumps to ap_entry(PerCpu*) on its own stack.
 *
 * Everything is addressed as TRAMPOLINE_PHYS + (label - trampoline_start), since the code
 * runs at a different address than it was linked at.
 */
#include "arch/x86_64/boot/boot_defs.h"
#include "arch/x86_64/smp/trampoline_defs.h"

#define ABS(label) (TRAMPOLINE_PHYS + (label - trampoline_start))

    .intel_syntax noprefix
    .section .rodata
    .balign 16
    .global trampoline_start, trampoline_end
trampoline_start:
    .code16
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [ABS(tramp_gdt_ptr)]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    ljmp 0x08, ABS(tramp_pm32)

    .code32
tramp_pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, [ABS(tramp_cr3)]
    mov cr3, eax
    mov ecx, IA32_EFER
    rdmsr
    or eax, IA32_EFER_LME
    wrmsr
    mov eax, cr0
    /* Caches on: CD and NW are set at power-up and after INIT (SDM Vol 3A 9.1.1, Table 9-1)
     * and firmware may leave them so; with both clear the memory types of the MTRRs and the
     * PAT apply (SDM Vol 3A 12.5.1, Table 12-5). Bochs ignores them, a real PC runs uncached. */
    and eax, ~(CR0_CD | CR0_NW)
    or eax, CR0_PG | CR0_WP | CR0_NE
    mov cr0, eax
    ljmp 0x18, ABS(tramp_lm64)

    .code64
tramp_lm64:
    mov rsp, [ABS(tramp_stack)]
    mov rdi, [ABS(tramp_percpu)]
    xor ebp, ebp
    mov rax, [ABS(tramp_entry)]
    call rax
1:  cli
    hlt
    jmp 1b

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff                  /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff                  /* 0x10: data */
    .quad 0x00af9a000000ffff                  /* 0x18: 64-bit code */
tramp_gdt_ptr:
    .short tramp_gdt_ptr - tramp_gdt - 1
    .long ABS(tramp_gdt)

    /* Parameter block, filled in by smp.cc before each SIPI; see TrampolineParams. */
    .balign 8
    .global trampoline_params
trampoline_params:
tramp_cr3:    .quad 0
tramp_stack:  .quad 0
tramp_percpu: .quad 0
tramp_entry:  .quad 0
trampoline_end:

    .section .note.GNU-stack, "", @progbits
