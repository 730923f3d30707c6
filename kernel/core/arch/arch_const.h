// KERN_ARCH_CONST: one definition of an architectural constant that both C++ and the assembler
// read. The .S files include the registries (msr.h, control_regs.h) through the C
// preprocessor, which defines __ASSEMBLER__: there each constant becomes an `.equ`, so the
// boot code and the trampoline use the same names as the C++ code without a second copy.
#pragma once

#ifdef __ASSEMBLER__
#define KERN_ARCH_CONST(type, name, value) .equ name, value
/* Bit n as a mask (the assembler computes in 64 bits). */
#define KERN_ARCH_BIT(n) (1 << (n))
#else
#include <stdint.h>
/// `inline constexpr type name = value;` in C++, `.equ name, value` in a .S file.
#define KERN_ARCH_CONST(type, name, value) inline constexpr type name = value;
/// Bit @p n as a 64-bit mask (narrowed by the constant's declared type).
#define KERN_ARCH_BIT(n) (uint64_t{1} << (n))
#endif
