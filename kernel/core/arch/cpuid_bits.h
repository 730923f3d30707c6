// CPUID feature flags the kernel and the hypervisor test, named as in the SDM (Vol 2A, CPUID,
// Tables 3-8 to 3-10 and the extended leaves). CPUID_<leaf>_<register>_<flag>; the leaf is hex.
#pragma once

#include "core/arch/arch_const.h"

#ifndef __ASSEMBLER__
namespace kern::x86 {
#endif

// CPUID.01H:ECX (Table 3-10).
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_MONITOR, KERN_ARCH_BIT(3))       ///< MONITOR/MWAIT
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_VMX, KERN_ARCH_BIT(5))           ///< VMX
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_PCID, KERN_ARCH_BIT(17))         ///< process-context ids
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_X2APIC, KERN_ARCH_BIT(21))       ///< x2APIC
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_TSC_DEADLINE, KERN_ARCH_BIT(24)) ///< TSC-deadline timer
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_XSAVE, KERN_ARCH_BIT(26))        ///< XSAVE feature set
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_OSXSAVE, KERN_ARCH_BIT(27))      ///< CR4.OSXSAVE mirror
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_RDRAND, KERN_ARCH_BIT(30))       ///< RDRAND
/// Not used by Intel: hypervisors set it (their guests read it as "running under a hypervisor")
KERN_ARCH_CONST(uint32_t, CPUID_1_ECX_HYPERVISOR, KERN_ARCH_BIT(31))

// CPUID.01H:EDX (Table 3-11).
KERN_ARCH_CONST(uint32_t, CPUID_1_EDX_MTRR, KERN_ARCH_BIT(12)) ///< memory-type range registers

// CPUID.(EAX=07H,ECX=0).
KERN_ARCH_CONST(uint32_t, CPUID_7_EBX_INVPCID, KERN_ARCH_BIT(10)) ///< INVPCID
KERN_ARCH_CONST(uint32_t, CPUID_7_EBX_RDSEED, KERN_ARCH_BIT(18))  ///< RDSEED
KERN_ARCH_CONST(uint32_t, CPUID_7_ECX_WAITPKG, KERN_ARCH_BIT(5))  ///< TPAUSE, UMONITOR, UMWAIT

// CPUID.80000001H:EDX.
KERN_ARCH_CONST(uint32_t, CPUID_80000001_EDX_NX, KERN_ARCH_BIT(20))     ///< execute disable
KERN_ARCH_CONST(uint32_t, CPUID_80000001_EDX_RDTSCP, KERN_ARCH_BIT(27)) ///< RDTSCP, IA32_TSC_AUX
KERN_ARCH_CONST(uint32_t, CPUID_80000001_EDX_LM, KERN_ARCH_BIT(29))     ///< Intel 64 (long mode)

// CPUID.80000007H:EDX.
KERN_ARCH_CONST(uint32_t, CPUID_80000007_EDX_INVARIANT_TSC, KERN_ARCH_BIT(8)) ///< invariant TSC

#ifndef __ASSEMBLER__
} // namespace kern::x86
#endif
