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

#define CR0_PE (1 << 0)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_IA32_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
