// Lab 5, step 2 solution: the host state a VM exit loads (the contract is in host_state.h).
#include "hypervisor/core/host_state.h"

#include "core/arch/msr.h"

namespace hv {

void host_state(VmxOps& cpu, const HostLayout& l, VmxHostState& h) {
    h = VmxHostState{};
    h.cr0 = cpu.read_cr0();
    h.cr3 = cpu.read_cr3();
    h.cr4 = cpu.read_cr4();
    h.cs_selector = l.code_selector;
    h.ss_selector = h.ds_selector = h.es_selector = l.data_selector;
    h.tr_selector = l.tss_selector;
    h.gs_base = l.gs_base;
    h.tr_base = l.tss_base;
    h.gdtr_base = l.gdt_base;
    h.idtr_base = l.idt_base;
    h.efer = cpu.rdmsr(kern::x86::IA32_EFER);
    h.pat = cpu.rdmsr(kern::x86::IA32_PAT);
    h.rip = l.exit_rip;
}

} // namespace hv
