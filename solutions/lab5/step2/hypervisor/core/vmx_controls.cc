// Lab 5, step 2 solution: fitting controls to the capability MSRs (contracts in vmx_controls.h).
#include "hypervisor/core/vmx_controls.h"

namespace hv {

ControlAdjustment check_controls(uint32_t wanted, uint64_t capability_msr) {
    uint32_t must_be_one = static_cast<uint32_t>(capability_msr);      // allowed-0 settings
    uint32_t may_be_one = static_cast<uint32_t>(capability_msr >> 32); // allowed-1 settings
    uint32_t unsupported = wanted & ~may_be_one;
    return ControlAdjustment{(wanted | must_be_one) & may_be_one, must_be_one & ~wanted,
                             unsupported};
}

// SDM Vol 3D A.3-A.5: a wanted bit that the allowed-1 half forbids cannot be had; a bit the
// allowed-0 half requires is silently added (these are the "default1" and fixed-1 controls a
// VMM must set whether it cares or not).
kern::Result<uint32_t> adjust_controls(uint32_t wanted, uint64_t capability_msr, const char* what) {
    ControlAdjustment a = check_controls(wanted, capability_msr);
    if (!a.ok()) return kern::Error{kern::Errc::unsupported, what};
    return a.value;
}

} // namespace hv
