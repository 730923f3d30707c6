// Writing a checked VmxState into a VMCS: the "apply" half of validate-then-apply (the
// "validate" half is check_vm_entry, core/entry_check/). Pure over the VmcsAccess concept, so
// host tests run it against FakeVmcs.
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv {

/// Write every control, host-state and guest-state field of `s` (HOST_RSP is left to
/// vm_entry.S, which writes it just before each entry): the checker judges exactly what the CPU
/// will see. Two groups of fields exist only on CPUs with the feature that uses them (SDM Vol 3D
/// A.3.3), and a VMWRITE to a missing field fails: APIC_ACCESS_ADDR is written when "virtualize
/// APIC accesses" is set or the value is not 0, GUEST_PDPTR0-3 when "enable EPT" is set or a
/// value is not 0 (a zero there is what a fresh VMCS means anyway).
template <VmcsAccess A> void write_vmx_state(Vmcs<A>& v, const VmxState& s) {
    auto w = [&](auto field, uint64_t value) { v.access().write_raw(field.encoding, value); };
    const VmxControls& c = s.ctl;
    w(PIN_BASED_VM_EXEC_CONTROL, c.pin_based);
    w(CPU_BASED_VM_EXEC_CONTROL, c.proc_based);
    w(SECONDARY_VM_EXEC_CONTROL, c.proc_based2);
    w(VM_EXIT_CONTROLS, c.exit);
    w(VM_ENTRY_CONTROLS, c.entry);
    w(EXCEPTION_BITMAP, c.exception_bitmap);
    w(CR3_TARGET_COUNT, c.cr3_target_count);
    w(IO_BITMAP_A, c.io_bitmap_a);
    w(IO_BITMAP_B, c.io_bitmap_b);
    w(MSR_BITMAP, c.msr_bitmap);
    w(EPT_POINTER, c.ept_pointer);
    w(VIRTUAL_PROCESSOR_ID, c.vpid);
    w(VM_EXIT_MSR_STORE_COUNT, c.exit_msr_store_count);
    w(VM_EXIT_MSR_LOAD_COUNT, c.exit_msr_load_count);
    w(VM_ENTRY_MSR_LOAD_COUNT, c.entry_msr_load_count);
    w(VM_EXIT_MSR_STORE_ADDR, c.exit_msr_store_addr);
    w(VM_EXIT_MSR_LOAD_ADDR, c.exit_msr_load_addr);
    w(VM_ENTRY_MSR_LOAD_ADDR, c.entry_msr_load_addr);
    w(VIRTUAL_APIC_PAGE_ADDR, c.virtual_apic_page);
    w(TPR_THRESHOLD, c.tpr_threshold);
    const uint32_t proc2 = // SDM 25.6.2: without activation every secondary control is 0
        (c.proc_based & vmx_bits::PROC_ACTIVATE_SECONDARY) ? c.proc_based2 : 0;
    if ((proc2 & vmx_bits::PROC2_VIRTUALIZE_APIC_ACCESSES) || c.apic_access_addr != 0)
        w(APIC_ACCESS_ADDR, c.apic_access_addr);
    w(VM_ENTRY_INTR_INFO_FIELD, c.entry_intr_info);
    w(VM_ENTRY_EXCEPTION_ERROR_CODE, c.entry_exception_error_code);
    w(VM_ENTRY_INSTRUCTION_LEN, c.entry_instruction_len);
    w(VMX_PREEMPTION_TIMER_VALUE, c.preemption_timer);
    w(CR0_GUEST_HOST_MASK, c.cr0_guest_host_mask);
    w(CR4_GUEST_HOST_MASK, c.cr4_guest_host_mask);
    w(CR0_READ_SHADOW, c.cr0_read_shadow);
    w(CR4_READ_SHADOW, c.cr4_read_shadow);

    const VmxHostState& h = s.host;
    w(HOST_CR0, h.cr0);
    w(HOST_CR3, h.cr3);
    w(HOST_CR4, h.cr4);
    w(HOST_ES_SELECTOR, h.es_selector);
    w(HOST_CS_SELECTOR, h.cs_selector);
    w(HOST_SS_SELECTOR, h.ss_selector);
    w(HOST_DS_SELECTOR, h.ds_selector);
    w(HOST_FS_SELECTOR, h.fs_selector);
    w(HOST_GS_SELECTOR, h.gs_selector);
    w(HOST_TR_SELECTOR, h.tr_selector);
    w(HOST_FS_BASE, h.fs_base);
    w(HOST_GS_BASE, h.gs_base);
    w(HOST_TR_BASE, h.tr_base);
    w(HOST_GDTR_BASE, h.gdtr_base);
    w(HOST_IDTR_BASE, h.idtr_base);
    w(HOST_IA32_SYSENTER_CS, h.sysenter_cs);
    w(HOST_IA32_SYSENTER_ESP, h.sysenter_esp);
    w(HOST_IA32_SYSENTER_EIP, h.sysenter_eip);
    w(HOST_IA32_EFER, h.efer);
    w(HOST_IA32_PAT, h.pat);
    w(HOST_RIP, h.rip);

    const VmxGuestState& g = s.guest;
    w(GUEST_CR0, g.cr0);
    w(GUEST_CR3, g.cr3);
    w(GUEST_CR4, g.cr4);
    w(GUEST_DR7, g.dr7);
    w(GUEST_RSP, g.rsp);
    w(GUEST_RIP, g.rip);
    w(GUEST_RFLAGS, g.rflags);
#define HV_SEG(NAME, seg)                                                                          \
    w(GUEST_##NAME##_SELECTOR, g.seg.selector);                                                    \
    w(GUEST_##NAME##_BASE, g.seg.base);                                                            \
    w(GUEST_##NAME##_LIMIT, g.seg.limit);                                                          \
    w(GUEST_##NAME##_AR_BYTES, g.seg.access_rights)
    HV_SEG(ES, es);
    HV_SEG(CS, cs);
    HV_SEG(SS, ss);
    HV_SEG(DS, ds);
    HV_SEG(FS, fs);
    HV_SEG(GS, gs);
    HV_SEG(LDTR, ldtr);
    HV_SEG(TR, tr);
#undef HV_SEG
    w(GUEST_GDTR_BASE, g.gdtr_base);
    w(GUEST_GDTR_LIMIT, g.gdtr_limit);
    w(GUEST_IDTR_BASE, g.idtr_base);
    w(GUEST_IDTR_LIMIT, g.idtr_limit);
    w(GUEST_IA32_EFER, g.efer);
    w(GUEST_IA32_PAT, g.pat);
    w(GUEST_IA32_DEBUGCTL, g.debugctl);
    w(GUEST_SYSENTER_CS, g.sysenter_cs);
    w(GUEST_SYSENTER_ESP, g.sysenter_esp);
    w(GUEST_SYSENTER_EIP, g.sysenter_eip);
    w(GUEST_ACTIVITY_STATE, g.activity_state);
    w(GUEST_INTERRUPTIBILITY_INFO, g.interruptibility);
    w(GUEST_PENDING_DBG_EXCEPTIONS, g.pending_dbg_exceptions);
    w(VMCS_LINK_POINTER, g.vmcs_link_pointer);
    const bool any_pdpte = (g.pdpte[0] | g.pdpte[1] | g.pdpte[2] | g.pdpte[3]) != 0;
    if ((proc2 & vmx_bits::PROC2_ENABLE_EPT) || any_pdpte) {
        w(GUEST_PDPTR0, g.pdpte[0]);
        w(GUEST_PDPTR1, g.pdpte[1]);
        w(GUEST_PDPTR2, g.pdpte[2]);
        w(GUEST_PDPTR3, g.pdpte[3]);
    }
}

} // namespace hv
