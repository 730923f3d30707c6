#include "hypervisor/vcpu.h"

#include "core/mem/page.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/vm_host.h"
#include "mem/memory.h"

namespace hv {

kern::Result<void> Vcpu::load(const VmxState& s, const VmxCaps& caps) {
    m_vmcs_phys = TRY(load_new_vmcs(s, caps, m_real, m_name));
    TRY_VOID(m_fpu.init());
    return {};
}

kern::Result<void> Vcpu::load_unchecked(const VmxState& s) {
    m_quiet = true;
    m_vmcs_phys = TRY(write_new_vmcs(s, m_real, m_name, true));
    TRY_VOID(m_fpu.init());
    return {};
}

Vcpu::~Vcpu() {
    if (!m_vmcs_phys) return;
    // Inactive and written back before its frame is reused (SDM Vol 3C 25.11.1).
    (void)vmx_check(vmx::vmclear(m_vmcs_phys), "VMCLEAR", m_name);
    kern::frame_free(m_vmcs_phys);
}

} // namespace hv
