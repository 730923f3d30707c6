// The control-register and RFLAGS bits, with the SDM's names: CR0 and CR4 (SDM Vol 3A 2.5,
// Figure 2-7) and RFLAGS (SDM Vol 1 3.4.3, Vol 3A 2.3). One place for the kernel, the
// hypervisor and the boot assembly (arch_const.h); IA32_EFER's bits are with the MSR in msr.h.
#pragma once

#include "core/arch/arch_const.h"

#ifndef __ASSEMBLER__
namespace kern::x86 {
#endif

// CR0 (SDM Vol 3A 2.5).
KERN_ARCH_CONST(uint64_t, CR0_PE, KERN_ARCH_BIT(0))  ///< protection enable
KERN_ARCH_CONST(uint64_t, CR0_MP, KERN_ARCH_BIT(1))  ///< monitor coprocessor
KERN_ARCH_CONST(uint64_t, CR0_EM, KERN_ARCH_BIT(2))  ///< x87 emulation
KERN_ARCH_CONST(uint64_t, CR0_TS, KERN_ARCH_BIT(3))  ///< task switched (lazy FPU)
KERN_ARCH_CONST(uint64_t, CR0_ET, KERN_ARCH_BIT(4))  ///< extension type (reads as 1)
KERN_ARCH_CONST(uint64_t, CR0_NE, KERN_ARCH_BIT(5))  ///< numeric error (native x87 errors)
KERN_ARCH_CONST(uint64_t, CR0_WP, KERN_ARCH_BIT(16)) ///< write protect (also at CPL 0)
KERN_ARCH_CONST(uint64_t, CR0_AM, KERN_ARCH_BIT(18)) ///< alignment mask
KERN_ARCH_CONST(uint64_t, CR0_NW, KERN_ARCH_BIT(29)) ///< not write-through
KERN_ARCH_CONST(uint64_t, CR0_CD, KERN_ARCH_BIT(30)) ///< cache disable
KERN_ARCH_CONST(uint64_t, CR0_PG, KERN_ARCH_BIT(31)) ///< paging

// CR4 (SDM Vol 3A 2.5).
KERN_ARCH_CONST(uint64_t, CR4_PAE, KERN_ARCH_BIT(5))         ///< physical-address extension
KERN_ARCH_CONST(uint64_t, CR4_PGE, KERN_ARCH_BIT(7))         ///< page global enable
KERN_ARCH_CONST(uint64_t, CR4_OSFXSR, KERN_ARCH_BIT(9))      ///< FXSAVE/FXRSTOR and SSE enabled
KERN_ARCH_CONST(uint64_t, CR4_OSXMMEXCPT, KERN_ARCH_BIT(10)) ///< unmasked SIMD FP exceptions
KERN_ARCH_CONST(uint64_t, CR4_LA57, KERN_ARCH_BIT(12))       ///< 5-level paging
KERN_ARCH_CONST(uint64_t, CR4_VMXE, KERN_ARCH_BIT(13))       ///< VMX enable
KERN_ARCH_CONST(uint64_t, CR4_SMXE, KERN_ARCH_BIT(14))       ///< SMX enable
KERN_ARCH_CONST(uint64_t, CR4_PCIDE, KERN_ARCH_BIT(17))      ///< PCID enable
KERN_ARCH_CONST(uint64_t, CR4_OSXSAVE, KERN_ARCH_BIT(18))    ///< XSAVE and XCR0 enabled
KERN_ARCH_CONST(uint64_t, CR4_CET, KERN_ARCH_BIT(23))        ///< control-flow enforcement

// RFLAGS (SDM Vol 1 3.4.3, Figure 3-8).
KERN_ARCH_CONST(uint64_t, RFLAGS_FIXED, KERN_ARCH_BIT(1)) ///< bit 1: reserved, always 1
KERN_ARCH_CONST(uint64_t, RFLAGS_TF, KERN_ARCH_BIT(8))    ///< trap flag (single step)
KERN_ARCH_CONST(uint64_t, RFLAGS_IF, KERN_ARCH_BIT(9))    ///< interrupt enable
KERN_ARCH_CONST(uint64_t, RFLAGS_DF, KERN_ARCH_BIT(10))   ///< direction flag
KERN_ARCH_CONST(uint64_t, RFLAGS_VM, KERN_ARCH_BIT(17))   ///< virtual-8086 mode
KERN_ARCH_CONST(uint64_t, RFLAGS_AC, KERN_ARCH_BIT(18))   ///< alignment check / SMAP override

#ifndef __ASSEMBLER__
} // namespace kern::x86
#endif
