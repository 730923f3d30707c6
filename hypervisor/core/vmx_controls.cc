// Lab 5, step 2: fitting the controls a VMM wants to what the CPU allows. The contracts are the
// comments of check_controls() and adjust_controls() in vmx_controls.h.
#include "hypervisor/core/vmx_controls.h"

namespace hv {

ControlAdjustment check_controls(uint32_t wanted, uint64_t capability_msr) {
    // TODO(lab5 step 2)
    (void)capability_msr;
    return ControlAdjustment{wanted, 0, 0};
}

kern::Result<uint32_t> adjust_controls(uint32_t wanted, uint64_t capability_msr, const char* what) {
    // TODO(lab5 step 2)
    (void)capability_msr;
    (void)what;
    return wanted;
}

} // namespace hv
