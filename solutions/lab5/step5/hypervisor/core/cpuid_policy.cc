// Lab 5 solution: the CPUID the guest sees (rules in the skeleton's comment).
#include "hypervisor/core/cpuid_policy.h"

namespace hv {

CpuidRegs guest_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host) {
    CpuidRegs r = host;
    switch (leaf) {
    case 1:
        r.ecx &= ~(1u << 5); // VMX
        r.ecx |= 1u << 31;   // hypervisor present
        break;
    case 7:
        if (subleaf == 0) r.ecx &= ~(1u << 16); // LA57
        break;
    case HV_CPUID_LEAF:
        r = CpuidRegs{HV_CPUID_LEAF, HV_SIGNATURE[0], HV_SIGNATURE[1], HV_SIGNATURE[2]};
        break;
    default:
        break;
    }
    return r;
}

} // namespace hv
