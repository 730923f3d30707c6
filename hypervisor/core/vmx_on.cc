// Lab 5, step 1: turning VMX on. The contract is vmx_on()'s comment in vmx_on.h; the handout
// (labs/lab5-vmx/README.md, step 1) has the background and hints.
#include "hypervisor/core/vmx_on.h"

namespace hv {

kern::Result<uint64_t> vmx_on(VmxOps& cpu, VmxMsrs& msrs) {
    // TODO(lab5 step 1)
    (void)cpu;
    (void)msrs;
    return kern::Error{kern::Errc::unsupported, "vmx_on() is not written yet (lab 5, step 1)"};
}

} // namespace hv
