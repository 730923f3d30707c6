/*
 * The first instructions of the master kernel: the multiboot2 header, the 32-bit entry that
 * GRUB jumps to, and the switch to 64-bit long mode.
 *
 * GRUB leaves us in 32-bit protected mode with paging off, EAX = 0x36d76289 (the multiboot2
 * magic) and EBX = physical address of the boot information (multiboot2 spec, 3.3 "I386 machine
 * state"). To reach long mode (SDM Vol 3A 10.8.5 "Initializing IA-32e Mode") we:
 *   1. build page tables that identity-map the first 4 GiB with 2 MiB pages,
 *   2. set CR4.PAE, load CR3, set IA32_EFER.LME, set CR0.PG,
 *   3. far-jump into a 64-bit code segment.
 * Identity mapping keeps virtual == physical for the kernel, the multiboot2 structures, ACPI
 * tables and MMIO (LAPIC 0xFEE00000, IOAPIC 0xFEC00000, a UEFI framebuffer near 0xC0000000).
 */
#include "arch/x86_64/boot/boot_defs.h"

    .intel_syntax noprefix

/* ---- multiboot2 header (multiboot2 spec, 3.1) ---- */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long 0                                   /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
    /* Console flags (tag 4): the kernel also handles EGA text (0xB8000), should a loader
     * leave the machine in text mode. */
    .balign 8
    .short 4, 1
    .long 12
    .long 2                                   /* bit 1: EGA text supported */
    /* Framebuffer request (tag 5), optional, no preferred geometry: UEFI machines have no text
     * mode, so GRUB must hand over a linear framebuffer (info tag 8). GRUB then gives BIOS
     * machines a VBE framebuffer as well. */
    .balign 8
    .short 5, 1
    .long 20
    .long 0, 0, 0
    .balign 8
    .short 0, 0                               /* end tag */
    .long 8
mb2_header_end:

/* ---- 32-bit entry ---- */
    .section .text.boot, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov esp, offset boot_stack_top
    mov edi, eax                              /* keep magic and info pointer for kernel_main */
    mov esi, ebx

    cmp eax, MB2_BOOTLOADER_MAGIC
    jne .Lno_multiboot

    /* Long mode present? CPUID 0x80000001:EDX[29] (SDM Vol 2A, CPUID). */
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .Lno_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, CPUID_80000001_EDX_LM
    jz .Lno_long_mode

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 512 x 2 MiB pages. */
    mov eax, offset boot_pdpt
    or eax, PTE_P | PTE_W
    mov [boot_pml4], eax

    mov ecx, 0
1:  mov eax, ecx
    shl eax, 12
    add eax, offset boot_pd
    or eax, PTE_P | PTE_W
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb 1b

    /* 2048 PDEs: entry i maps physical i * 2 MiB. The top GiB (MMIO: framebuffer, IOAPIC,
     * LAPIC) is mapped uncached (PCD|PWT) so device registers are never cached. */
    mov ecx, 0
2:  mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_W | PTE_PS
    cmp ecx, 1536
    jb 3f
    or eax, PTE_PWT | PTE_PCD
3:  mov [boot_pd + ecx * 8], eax
    mov dword ptr [boot_pd + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 2048
    jb 2b

    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, offset boot_pml4
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

    lgdt [boot_gdt_ptr]
    ljmp BOOT_CS64, offset long_mode_entry

.Lno_multiboot:
    mov esi, offset msg_no_multiboot
    jmp boot_fail32
.Lno_long_mode:
    mov esi, offset msg_no_long_mode
    jmp boot_fail32

/* Print the NUL-terminated string at ESI to COM1 and the VGA text buffer, then halt forever.
 * Nothing else is set up yet, so this is as simple as it can be. */
boot_fail32:
    mov edi, 0xb8000
1:  lodsb
    test al, al
    jz 3f
    mov ah, 0x4f                              /* white on red */
    mov [edi], ax
    add edi, 2
    mov dx, 0x3fd                             /* COM1 line status: wait for THR empty */
    mov bl, al
2:  in al, dx
    test al, 0x20
    jz 2b
    mov al, bl
    mov dx, 0x3f8
    out dx, al
    jmp 1b
3:  cli
    hlt
    jmp 3b

    .code64
    .global long_mode_entry
long_mode_entry:
    mov ax, BOOT_DS
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, offset boot_stack_top
    xor ebp, ebp                              /* ends frame-pointer backtraces */
    /* kernel_main(magic = EDI, info = ESI): already in the SysV argument registers. */
    mov edi, edi
    mov esi, esi
    call kernel_main
1:  cli
    hlt
    jmp 1b

    .section .rodata
msg_no_multiboot:
    .asciz "vLibOS: not booted by a multiboot2 loader (bad magic in EAX); use GRUB's multiboot2 command"
msg_no_long_mode:
    .asciz "vLibOS: this CPU has no 64-bit long mode; the kernel needs x86_64"

    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff                  /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff                  /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .balign 4096
    .global boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096 * 4
    .global boot_stack_top
boot_stack: .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
