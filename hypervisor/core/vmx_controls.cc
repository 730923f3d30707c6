#include "hypervisor/core/vmx_controls.h"

namespace hv {

// SDM Vol 3D A.3-A.5: a wanted bit that the allowed-1 half forbids cannot be had; a bit the
// allowed-0 half requires is silently added (these are the "default1" and fixed-1 controls a
// VMM must set whether it cares or not).
kern::Result<uint32_t> adjust_controls(uint32_t wanted, uint64_t capability_msr, const char* what) {
    ControlAdjustment a = check_controls(wanted, capability_msr);
    if (!a.ok()) return kern::Error{kern::Errc::unsupported, what};
    return a.value;
}

} // namespace hv
