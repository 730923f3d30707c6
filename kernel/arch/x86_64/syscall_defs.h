/* Constants shared by syscall_entry.S and C++ (plain #defines for the assembler). */
#pragma once
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define USER_DS_SEL (0x20 | 3)
#define USER_CS_SEL (0x28 | 3)
#define SYSCALL_VECTOR 0x100
