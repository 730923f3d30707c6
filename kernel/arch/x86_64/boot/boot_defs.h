/* Constants shared by the boot assembly and C++ (plain #defines so that .S files can use them). */
#pragma once

#define MB2_HEADER_MAGIC 0xE85250D6     /* multiboot2 spec 3.1.1 */
#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* multiboot2 spec 3.3: EAX on entry */

#define BOOT_CS64 0x08
#define BOOT_DS 0x10
#define BOOT_STACK_SIZE 16384

/* Page-table entry bits (SDM Vol 3A 4.5, Table 4-14..4-19). */
#define PTE_P (1 << 0)
#define PTE_W (1 << 1)
#define PTE_U (1 << 2)
#define PTE_PWT (1 << 3)
#define PTE_PCD (1 << 4)
#define PTE_PS (1 << 7)

/* CR0/CR4 bits, IA32_EFER and its bits, CPUID flags: the registries in core/arch/, which
 * the assembler reads as .equ constants (core/arch/arch_const.h). */
#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
