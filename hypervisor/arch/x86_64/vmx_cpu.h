// Turning VMX on for a CPU (SDM Vol 3C 24.6 "Discovering Support for VMX", 24.7 "Enabling and
// Entering VMX Operation", 24.8 "Restrictions on VMX Operation").
#pragma once

#include "core/result.h"

#include <stdint.h>

namespace hv {

/// The VMX capability MSRs (SDM Vol 3D Appendix A), read once per CPU.
struct VmxMsrs {
    uint64_t basic;      ///< IA32_VMX_BASIC (0x480)
    uint64_t pinbased;   ///< IA32_VMX_TRUE_PINBASED_CTLS (0x48D), or 0x481 without true controls
    uint64_t procbased;  ///< IA32_VMX_TRUE_PROCBASED_CTLS (0x48E), or 0x482
    uint64_t exit;       ///< IA32_VMX_TRUE_EXIT_CTLS (0x48F), or 0x483
    uint64_t entry;      ///< IA32_VMX_TRUE_ENTRY_CTLS (0x490), or 0x484
    uint64_t misc;       ///< IA32_VMX_MISC (0x485)
    uint64_t cr0_fixed0; ///< IA32_VMX_CR0_FIXED0 (0x486)
    uint64_t cr0_fixed1; ///< IA32_VMX_CR0_FIXED1 (0x487)
    uint64_t cr4_fixed0; ///< IA32_VMX_CR4_FIXED0 (0x488)
    uint64_t cr4_fixed1; ///< IA32_VMX_CR4_FIXED1 (0x489)
    uint64_t procbased2; ///< IA32_VMX_PROCBASED_CTLS2 (0x48B), 0 if secondary controls are absent
    uint64_t ept_vpid;   ///< IA32_VMX_EPT_VPID_CAP (0x48C), 0 if absent
    uint32_t maxphyaddr; ///< CPUID.80000008H:EAX[7:0]
};

/// Check that this CPU can do VMX, enable it in IA32_FEATURE_CONTROL if firmware left that
/// unlocked, set CR4.VMXE and the CR0/CR4 bits VMX operation requires, and execute VMXON.
/// On failure nothing is changed and the Error names the missing feature.
kern::Result<void> vmx_enable_cpu();
/// True once vmx_enable_cpu() succeeded on the calling CPU.
bool vmx_enabled();
/// The capability MSRs of the calling CPU (valid after vmx_enable_cpu()).
const VmxMsrs& vmx_msrs();
/// Allocate and initialise a VMCS region (revision id written): its physical address.
kern::Result<uint64_t> vmx_alloc_vmcs();

} // namespace hv
