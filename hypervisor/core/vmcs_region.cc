// Lab 5, step 2: a VMCS region made current. The contract is vmcs_new_current()'s comment in
// vmcs_region.h.
#include "hypervisor/core/vmcs_region.h"

namespace hv {

kern::Result<uint64_t> vmcs_new_current(VmxOps& cpu, const VmxMsrs& msrs) {
    // TODO(lab5 step 2)
    (void)cpu;
    (void)msrs;
    return kern::Error{kern::Errc::unsupported,
                       "vmcs_new_current() is not written yet (lab 5, step 2)"};
}

} // namespace hv
