// Lab 5, step 2 solution: a VMCS region made current (the contract is in vmcs_region.h).
#include "hypervisor/core/vmcs_region.h"

#include "hypervisor/core/vmx_controls.h"

namespace hv {

kern::Result<uint64_t> vmcs_new_current(VmxOps& cpu, const VmxMsrs& msrs) {
    uint64_t vmcs = cpu.frame_alloc();
    if (!vmcs) return kern::Error{kern::Errc::no_memory, "no frame for a VMCS"};
    *static_cast<uint32_t*>(cpu.frame_ptr(vmcs)) = VmxBasic{msrs.basic}.revision_id();
    if (cpu.vmclear(vmcs) != vmx::VmxStatus::ok) {
        cpu.frame_free(vmcs);
        return kern::Error{kern::Errc::unsupported, "VMCLEAR of a new VMCS failed"};
    }
    if (cpu.vmptrld(vmcs) != vmx::VmxStatus::ok) {
        cpu.frame_free(vmcs);
        return kern::Error{kern::Errc::unsupported, "VMPTRLD of a new VMCS failed"};
    }
    return vmcs;
}

} // namespace hv
