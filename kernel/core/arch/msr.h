// The MSR registry: every model-specific register the kernel and the hypervisor touch, with its
// Intel name and address (SDM Vol 4 chapter 2, Table 2-2 "IA-32 Architectural MSRs", unless a
// line says otherwise), and the bit fields they use. One place: code elsewhere names an MSR
// through these constants, never by number (tools/arch_bits_check.py checks). Pure: the host
// tests and the .S files (through arch_const.h) read it too.
#pragma once

#include "core/arch/arch_const.h"

#ifndef __ASSEMBLER__
namespace kern::x86 {
#endif

// ---- architectural MSRs, by address ----
KERN_ARCH_CONST(uint32_t, IA32_TIME_STAMP_COUNTER, 0x10) ///< TSC (SDM Vol 3B 18.17)
KERN_ARCH_CONST(uint32_t, IA32_APIC_BASE, 0x1B)          ///< local APIC base (SDM Vol 3A 11.4.4)
KERN_ARCH_CONST(uint32_t, IA32_FEATURE_CONTROL, 0x3A)    ///< VMX/SMX enables (SDM Vol 3C 24.7)
KERN_ARCH_CONST(uint32_t, IA32_TSC_ADJUST, 0x3B)         ///< TSC adjustment (SDM Vol 3B 18.17.3)
KERN_ARCH_CONST(uint32_t, IA32_BIOS_SIGN_ID, 0x8B)       ///< microcode revision
KERN_ARCH_CONST(uint32_t, MSR_PLATFORM_INFO, 0xCE)       ///< model-specific (SDM Vol 4 2.16)
KERN_ARCH_CONST(uint32_t, IA32_MTRRCAP, 0xFE)            ///< MTRR capabilities (SDM Vol 3A 12.11)
/// CPUID faulting enable; model-specific (SDM Vol 4 Table 2-12)
KERN_ARCH_CONST(uint32_t, MSR_MISC_FEATURES_ENABLES, 0x140)
KERN_ARCH_CONST(uint32_t, IA32_SYSENTER_CS, 0x174)   ///< SYSENTER target CS (SDM Vol 2B SYSENTER)
KERN_ARCH_CONST(uint32_t, IA32_SYSENTER_ESP, 0x175)  ///< SYSENTER target RSP
KERN_ARCH_CONST(uint32_t, IA32_SYSENTER_EIP, 0x176)  ///< SYSENTER target RIP
KERN_ARCH_CONST(uint32_t, IA32_MISC_ENABLE, 0x1A0)   ///< fast strings, MONITOR, ...
KERN_ARCH_CONST(uint32_t, IA32_DEBUGCTL, 0x1D9)      ///< debug control (SDM Vol 3B 18.4.1)
KERN_ARCH_CONST(uint32_t, IA32_PAT, 0x277)           ///< page attribute table (SDM Vol 3A 12.12.2)
KERN_ARCH_CONST(uint32_t, IA32_MTRR_DEF_TYPE, 0x2FF) ///< default memory type (SDM Vol 3A 12.11.2.1)

// VMX capability MSRs (SDM Vol 3D Appendix A).
KERN_ARCH_CONST(uint32_t, IA32_VMX_BASIC, 0x480)               ///< A.1 basic VMX information
KERN_ARCH_CONST(uint32_t, IA32_VMX_PINBASED_CTLS, 0x481)       ///< A.3.1 pin-based controls
KERN_ARCH_CONST(uint32_t, IA32_VMX_PROCBASED_CTLS, 0x482)      ///< A.3.2 primary proc-based
KERN_ARCH_CONST(uint32_t, IA32_VMX_EXIT_CTLS, 0x483)           ///< A.4 VM-exit controls
KERN_ARCH_CONST(uint32_t, IA32_VMX_ENTRY_CTLS, 0x484)          ///< A.5 VM-entry controls
KERN_ARCH_CONST(uint32_t, IA32_VMX_MISC, 0x485)                ///< A.6 miscellaneous data
KERN_ARCH_CONST(uint32_t, IA32_VMX_CR0_FIXED0, 0x486)          ///< A.7 CR0 bits fixed to 1
KERN_ARCH_CONST(uint32_t, IA32_VMX_CR0_FIXED1, 0x487)          ///< A.7 CR0 bits that may be 1
KERN_ARCH_CONST(uint32_t, IA32_VMX_CR4_FIXED0, 0x488)          ///< A.8 CR4 bits fixed to 1
KERN_ARCH_CONST(uint32_t, IA32_VMX_CR4_FIXED1, 0x489)          ///< A.8 CR4 bits that may be 1
KERN_ARCH_CONST(uint32_t, IA32_VMX_VMCS_ENUM, 0x48A)           ///< A.9 VMCS enumeration
KERN_ARCH_CONST(uint32_t, IA32_VMX_PROCBASED_CTLS2, 0x48B)     ///< A.3.3 secondary proc-based
KERN_ARCH_CONST(uint32_t, IA32_VMX_EPT_VPID_CAP, 0x48C)        ///< A.10 EPT and VPID
KERN_ARCH_CONST(uint32_t, IA32_VMX_TRUE_PINBASED_CTLS, 0x48D)  ///< A.3.1 with default1 freedom
KERN_ARCH_CONST(uint32_t, IA32_VMX_TRUE_PROCBASED_CTLS, 0x48E) ///< A.3.2 with default1 freedom
KERN_ARCH_CONST(uint32_t, IA32_VMX_TRUE_EXIT_CTLS, 0x48F)      ///< A.4 with default1 freedom
KERN_ARCH_CONST(uint32_t, IA32_VMX_TRUE_ENTRY_CTLS, 0x490)     ///< A.5 with default1 freedom

KERN_ARCH_CONST(uint32_t, IA32_TSC_DEADLINE, 0x6E0) ///< TSC-deadline timer (SDM Vol 3A 11.5.4.1)

// x2APIC registers (SDM Vol 3A 11.12.1.2, Table 11-6): MSR 0x800 + xAPIC MMIO offset / 16.
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_FIRST, 0x800)       ///< first MSR of the x2APIC range
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_APICID, 0x802)      ///< local APIC ID
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_VERSION, 0x803)     ///< local APIC version
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_TPR, 0x808)         ///< task priority
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_PPR, 0x80A)         ///< processor priority
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_EOI, 0x80B)         ///< end of interrupt
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LDR, 0x80D)         ///< logical destination
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_SIVR, 0x80F)        ///< spurious-interrupt vector
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_ISR0, 0x810)        ///< in-service bits 31:0 (ISR7 0x817)
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_TMR0, 0x818)        ///< trigger-mode bits 31:0 (TMR7 0x81F)
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_IRR0, 0x820)        ///< request bits 31:0 (IRR7 0x827)
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_ESR, 0x828)         ///< error status
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_CMCI, 0x82F)    ///< LVT corrected machine check
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_ICR, 0x830)         ///< interrupt command (64 bits)
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_TIMER, 0x832)   ///< LVT timer
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_THERMAL, 0x833) ///< LVT thermal sensor
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_PMI, 0x834)     ///< LVT performance monitor
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_LINT0, 0x835)   ///< LVT LINT0
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_LINT1, 0x836)   ///< LVT LINT1
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LVT_ERROR, 0x837)   ///< LVT error
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_INIT_COUNT, 0x838)  ///< timer initial count
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_CUR_COUNT, 0x839)   ///< timer current count
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_DIV_CONF, 0x83E)    ///< timer divide configuration
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_SELF_IPI, 0x83F)    ///< self IPI
KERN_ARCH_CONST(uint32_t, IA32_X2APIC_LAST, 0x8FF)        ///< last MSR of the x2APIC range

KERN_ARCH_CONST(uint32_t, IA32_XSS, 0xDA0) ///< supervisor XSAVE state (SDM Vol 1 13.3)

// The syscall and segment-base MSRs (SDM Vol 3A 5.8.8, 3.4.4).
KERN_ARCH_CONST(uint32_t, IA32_EFER, 0xC0000080)           ///< extended feature enables
KERN_ARCH_CONST(uint32_t, IA32_STAR, 0xC0000081)           ///< SYSCALL/SYSRET selectors
KERN_ARCH_CONST(uint32_t, IA32_LSTAR, 0xC0000082)          ///< SYSCALL target RIP (64-bit)
KERN_ARCH_CONST(uint32_t, IA32_CSTAR, 0xC0000083)          ///< SYSCALL target RIP (compat)
KERN_ARCH_CONST(uint32_t, IA32_FMASK, 0xC0000084)          ///< RFLAGS bits SYSCALL clears
KERN_ARCH_CONST(uint32_t, IA32_FS_BASE, 0xC0000100)        ///< FS base
KERN_ARCH_CONST(uint32_t, IA32_GS_BASE, 0xC0000101)        ///< GS base
KERN_ARCH_CONST(uint32_t, IA32_KERNEL_GS_BASE, 0xC0000102) ///< swapped in by SWAPGS
KERN_ARCH_CONST(uint32_t, IA32_TSC_AUX, 0xC0000103)        ///< RDTSCP's ECX

// ---- bit fields ----
// IA32_APIC_BASE (SDM Vol 3A 11.4.4, Figure 11-5; 11.12.1 for EXTD).
KERN_ARCH_CONST(uint64_t, IA32_APIC_BASE_BSP, KERN_ARCH_BIT(8))   ///< this is the boot processor
KERN_ARCH_CONST(uint64_t, IA32_APIC_BASE_EXTD, KERN_ARCH_BIT(10)) ///< x2APIC mode enable
KERN_ARCH_CONST(uint64_t, IA32_APIC_BASE_EN, KERN_ARCH_BIT(11))   ///< APIC global enable

// IA32_FEATURE_CONTROL (SDM Vol 3C 24.7).
KERN_ARCH_CONST(uint64_t, IA32_FEATURE_CONTROL_LOCK, KERN_ARCH_BIT(0)) ///< lock bit
/// enable VMX outside SMX operation
KERN_ARCH_CONST(uint64_t, IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX, KERN_ARCH_BIT(2))
/// SGX launch control enable (SDM Vol 4 Table 2-2): a bit VMX leaves alone
KERN_ARCH_CONST(uint64_t, IA32_FEATURE_CONTROL_SGX_LC, KERN_ARCH_BIT(17))

// IA32_EFER (SDM Vol 4 Table 2-2; Vol 3A 2.2.1).
KERN_ARCH_CONST(uint64_t, IA32_EFER_SCE, KERN_ARCH_BIT(0))  ///< SYSCALL enable
KERN_ARCH_CONST(uint64_t, IA32_EFER_LME, KERN_ARCH_BIT(8))  ///< IA-32e mode enable
KERN_ARCH_CONST(uint64_t, IA32_EFER_LMA, KERN_ARCH_BIT(10)) ///< IA-32e mode active
KERN_ARCH_CONST(uint64_t, IA32_EFER_NXE, KERN_ARCH_BIT(11)) ///< execute-disable enable

// IA32_DEBUGCTL (SDM Vol 3B 18.4.1).
KERN_ARCH_CONST(uint64_t, IA32_DEBUGCTL_BTF, KERN_ARCH_BIT(1)) ///< single-step on branches

#ifndef __ASSEMBLER__
/// The x2APIC MSR of the xAPIC register at MMIO offset @p xapic_offset (SDM Vol 3A 11.12.1.2:
/// MSR address = 0x800 + offset / 16).
constexpr uint32_t x2apic_msr(uint32_t xapic_offset) {
    return IA32_X2APIC_FIRST + xapic_offset / 16;
}
static_assert(x2apic_msr(0xB0) == IA32_X2APIC_EOI && x2apic_msr(0x300) == IA32_X2APIC_ICR);

/// EFER bits an Intel CPU defines (SCE, LME, LMA, NXE); the rest are reserved.
inline constexpr uint64_t IA32_EFER_DEFINED =
    IA32_EFER_SCE | IA32_EFER_LME | IA32_EFER_LMA | IA32_EFER_NXE;

} // namespace kern::x86
#endif
