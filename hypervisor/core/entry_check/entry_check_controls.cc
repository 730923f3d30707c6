// SDM Vol 3C 27.2.1 "Checks on VMX Controls" (26.2.1 in pre-2023 editions): the VM-execution,
// VM-exit and VM-entry control fields. On hardware a failure here makes VMLAUNCH fail with
// VM-instruction error 7 ("VM entry with invalid control field(s)").
#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv::entry_check_detail {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// A 4 KiB-aligned physical address below MAXPHYADDR: bitmaps, virtual-APIC and APIC-access pages.
bool page_addr_ok(uint64_t addr, unsigned width) {
    return (addr & 0xFFF) == 0 && fits_phys(addr, width);
}

/// An MSR list of @p count 16-byte entries (SDM 27.2.1.2/.3): 16-byte aligned, and the whole
/// list below MAXPHYADDR. An empty list is not checked.
bool msr_list_ok(uint64_t addr, uint32_t count, unsigned width) {
    if (count == 0) return true;
    const uint64_t last = addr + uint64_t{count} * 16 - 1;
    return (addr & 0xF) == 0 && fits_phys(addr, width) && fits_phys(last, width);
}

/// EPTP (SDM 25.6.11, Table 25-9; checked by 27.2.1.1 when "enable EPT" is 1).
kern::Result<void> check_eptp(const Ctx& ctx) {
    const uint64_t eptp = ctx.s.ctl.ept_pointer;
    const uint64_t cap = ctx.caps.ept_vpid_cap; // SDM A.10
    const uint64_t type = eptp & 7;
    EC_REQUIRE((type == 0 && (cap & bit(8))) || (type == 6 && (cap & bit(14))), "EPT_POINTER",
               SEC_EXEC,
               "EPTP memory type (bits 2:0) must be UC (0) or WB (6) and supported "
               "by IA32_VMX_EPT_VPID_CAP[8]/[14]");
    const uint64_t walk = (eptp >> 3) & 7; // page-walk length minus 1
    EC_REQUIRE((walk == 3 && (cap & bit(6))) || (walk == 4 && (cap & bit(7))), "EPT_POINTER",
               SEC_EXEC, "EPTP bits 5:3 (page-walk length - 1) must be 3: a 4-level walk");
    EC_REQUIRE(!(eptp & bit(6)) || (cap & bit(21)), "EPT_POINTER", SEC_EXEC,
               "EPTP bit 6 (accessed and dirty flags) needs IA32_VMX_EPT_VPID_CAP[21]");
    // Bit 7 is "supervisor shadow-stack" on CET parts; the kit treats 11:7 as reserved.
    EC_REQUIRE((eptp & 0xF80) == 0 && fits_phys(eptp, ctx.caps.max_phys_addr), "EPT_POINTER",
               SEC_EXEC, "EPTP bits 11:7 and bits at or above MAXPHYADDR must be 0");
    return {};
}

/// 27.2.1.1 "Checks on VM-Execution Control Fields", in the SDM's order.
kern::Result<void> check_exec(const Ctx& ctx) {
    const VmxControls& c = ctx.s.ctl;
    const VmxCaps& caps = ctx.caps;
    const unsigned width = caps.max_phys_addr;

    // Allowed-0/allowed-1 settings (SDM A.3). "activate VMX-preemption timer" without CPU
    // support fails here: its allowed-1 bit is clear.
    EC_REQUIRE(allowed_ok(c.pin_based, caps.true_pinbased_ctls), "PIN_BASED_VM_EXEC_CONTROL",
               SEC_EXEC,
               "pin-based controls: a bit IA32_VMX_TRUE_PINBASED_CTLS requires is "
               "clear or one it does not allow is set");
    EC_REQUIRE(allowed_ok(c.proc_based, caps.true_procbased_ctls), "CPU_BASED_VM_EXEC_CONTROL",
               SEC_EXEC,
               "primary processor-based controls: a bit IA32_VMX_TRUE_PROCBASED_CTLS "
               "requires is clear or one it does not allow is set");
    if (c.proc_based & PROC_ACTIVATE_SECONDARY)
        EC_REQUIRE(allowed_ok(c.proc_based2, caps.procbased_ctls2), "SECONDARY_VM_EXEC_CONTROL",
                   SEC_EXEC,
                   "secondary processor-based controls: a bit IA32_VMX_PROCBASED_CTLS2 "
                   "does not allow is set");
    const uint32_t max_cr3_targets = (caps.misc >> 16) & 0x1FF; // IA32_VMX_MISC[24:16]
    EC_REQUIRE(c.cr3_target_count <= max_cr3_targets, "CR3_TARGET_COUNT", SEC_EXEC,
               "CR3-target count exceeds IA32_VMX_MISC[24:16] (4 on current CPUs)");

    if (c.proc_based & PROC_USE_IO_BITMAPS) {
        EC_REQUIRE(page_addr_ok(c.io_bitmap_a, width), "IO_BITMAP_A", SEC_EXEC,
                   "I/O bitmap A must be 4 KiB aligned and below MAXPHYADDR");
        EC_REQUIRE(page_addr_ok(c.io_bitmap_b, width), "IO_BITMAP_B", SEC_EXEC,
                   "I/O bitmap B must be 4 KiB aligned and below MAXPHYADDR");
    }
    if (c.proc_based & PROC_USE_MSR_BITMAPS)
        EC_REQUIRE(page_addr_ok(c.msr_bitmap, width), "MSR_BITMAP", SEC_EXEC,
                   "MSR bitmap must be 4 KiB aligned and below MAXPHYADDR");

    // TPR shadow. Bits 3:0 of the threshold against VTPR need the virtual-APIC page: not checked.
    if (c.proc_based & PROC_USE_TPR_SHADOW) {
        EC_REQUIRE(page_addr_ok(c.virtual_apic_page, width), "VIRTUAL_APIC_PAGE_ADDR", SEC_EXEC,
                   "virtual-APIC page must be 4 KiB aligned and below MAXPHYADDR");
        if (!(ctx.proc2 & PROC2_VIRTUAL_INTR_DELIVERY))
            EC_REQUIRE((c.tpr_threshold & ~0xFu) == 0, "TPR_THRESHOLD", SEC_EXEC,
                       "TPR threshold bits 31:4 must be 0");
    } else {
        EC_REQUIRE(!(ctx.proc2 & (PROC2_VIRTUALIZE_X2APIC | PROC2_APIC_REGISTER_VIRT |
                                  PROC2_VIRTUAL_INTR_DELIVERY)),
                   "SECONDARY_VM_EXEC_CONTROL", SEC_EXEC,
                   "x2APIC virtualization, APIC-register virtualization and virtual-interrupt "
                   "delivery need \"use TPR shadow\"");
    }

    // NMI rules.
    EC_REQUIRE((c.pin_based & PIN_NMI_EXITING) || !(c.pin_based & PIN_VIRTUAL_NMIS),
               "PIN_BASED_VM_EXEC_CONTROL", SEC_EXEC, "\"virtual NMIs\" needs \"NMI exiting\"");
    EC_REQUIRE((c.pin_based & PIN_VIRTUAL_NMIS) || !(c.proc_based & PROC_NMI_WINDOW_EXITING),
               "CPU_BASED_VM_EXEC_CONTROL", SEC_EXEC,
               "\"NMI-window exiting\" needs \"virtual NMIs\"");

    // APIC virtualization.
    if (ctx.proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES)
        EC_REQUIRE(page_addr_ok(c.apic_access_addr, width), "APIC_ACCESS_ADDR", SEC_EXEC,
                   "APIC-access page must be 4 KiB aligned and below MAXPHYADDR");
    EC_REQUIRE(
        !((ctx.proc2 & PROC2_VIRTUALIZE_X2APIC) && (ctx.proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES)),
        "SECONDARY_VM_EXEC_CONTROL", SEC_EXEC,
        "\"virtualize x2APIC mode\" and \"virtualize APIC accesses\" exclude each other");
    if (ctx.proc2 & PROC2_VIRTUAL_INTR_DELIVERY)
        EC_REQUIRE(c.pin_based & PIN_EXTERNAL_INTERRUPT_EXITING, "PIN_BASED_VM_EXEC_CONTROL",
                   SEC_EXEC, "\"virtual-interrupt delivery\" needs \"external-interrupt exiting\"");

    // VPID, EPT, unrestricted guest.
    if (ctx.proc2 & PROC2_ENABLE_VPID)
        EC_REQUIRE(c.vpid != 0, "VIRTUAL_PROCESSOR_ID", SEC_EXEC,
                   "VPID must not be 0 when \"enable VPID\" is set (VPID 0 tags the host)");
    if (ctx.ept) TRY_VOID(check_eptp(ctx));
    EC_REQUIRE(!ctx.unrestricted || ctx.ept, "SECONDARY_VM_EXEC_CONTROL", SEC_EXEC,
               "\"unrestricted guest\" needs \"enable EPT\"");
    // Kit policy: the VMREAD/VMWRITE bitmaps that shadowing needs are not in VmxState.
    EC_REQUIRE(!(ctx.proc2 & PROC2_VMCS_SHADOWING), "SECONDARY_VM_EXEC_CONTROL", SEC_EXEC,
               "\"VMCS shadowing\" is not used by the kit and not checked: leave it 0");
    return {};
}

/// 27.2.1.2 "Checks on VM-Exit Control Fields".
kern::Result<void> check_exit(const Ctx& ctx) {
    const VmxControls& c = ctx.s.ctl;
    const unsigned width = ctx.caps.max_phys_addr;
    EC_REQUIRE(allowed_ok(c.exit, ctx.caps.true_exit_ctls), "VM_EXIT_CONTROLS", SEC_EXIT,
               "VM-exit controls: a bit IA32_VMX_TRUE_EXIT_CTLS requires is clear or one it "
               "does not allow is set");
    EC_REQUIRE((c.pin_based & PIN_PREEMPTION_TIMER) || !(c.exit & EXIT_SAVE_PREEMPTION_TIMER),
               "VM_EXIT_CONTROLS", SEC_EXIT,
               "\"save VMX-preemption timer value\" needs \"activate VMX-preemption timer\"");
    EC_REQUIRE(msr_list_ok(c.exit_msr_store_addr, c.exit_msr_store_count, width),
               "VM_EXIT_MSR_STORE_ADDR", SEC_EXIT,
               "VM-exit MSR-store list must be 16-byte aligned and below MAXPHYADDR");
    EC_REQUIRE(msr_list_ok(c.exit_msr_load_addr, c.exit_msr_load_count, width),
               "VM_EXIT_MSR_LOAD_ADDR", SEC_EXIT,
               "VM-exit MSR-load list must be 16-byte aligned and below MAXPHYADDR");
    return {};
}

/// 27.2.1.3 "Checks on VM-Entry Control Fields", including event injection (SDM 25.8.3).
kern::Result<void> check_entry(const Ctx& ctx) {
    const VmxControls& c = ctx.s.ctl;
    EC_REQUIRE(allowed_ok(c.entry, ctx.caps.true_entry_ctls), "VM_ENTRY_CONTROLS", SEC_ENTRY,
               "VM-entry controls: a bit IA32_VMX_TRUE_ENTRY_CTLS requires is clear or one it "
               "does not allow is set");

    const uint32_t info = c.entry_intr_info;
    if (info & INTR_INFO_VALID) {
        const uint32_t type = (info >> INTR_INFO_TYPE_SHIFT) & 7;
        const uint32_t vector = info & INTR_INFO_VECTOR_MASK;
        const bool mtf_supported = (ctx.caps.true_procbased_ctls >> 32) & PROC_MONITOR_TRAP_FLAG;
        EC_REQUIRE(type != 1 && (type != INTR_TYPE_OTHER || mtf_supported),
                   "VM_ENTRY_INTR_INFO_FIELD", SEC_ENTRY,
                   "interruption type 1 is reserved; type 7 needs monitor-trap-flag support");
        EC_REQUIRE(type != INTR_TYPE_NMI || vector == 2, "VM_ENTRY_INTR_INFO_FIELD", SEC_ENTRY,
                   "an injected NMI must use vector 2");
        EC_REQUIRE(type != INTR_TYPE_HW_EXCEPTION || vector <= 31, "VM_ENTRY_INTR_INFO_FIELD",
                   SEC_ENTRY, "an injected hardware exception must use a vector <= 31");
        EC_REQUIRE(type != INTR_TYPE_OTHER || vector == 0, "VM_ENTRY_INTR_INFO_FIELD", SEC_ENTRY,
                   "an injected \"other event\" (pending MTF) must use vector 0");

        // Deliver-error-code: only in protected mode, only for hardware exceptions, and (unless
        // IA32_VMX_BASIC[56] relaxes it) exactly for #DF #TS #NP #SS #GP #PF #AC.
        const bool has_code = (info & INTR_INFO_DELIVER_ERROR_CODE) != 0;
        const bool protected_mode = !ctx.unrestricted || (ctx.s.guest.cr0 & CR0_PE);
        const bool may_have = protected_mode && type == INTR_TYPE_HW_EXCEPTION;
        const bool wants = may_have && vector < 32 && ((1u << vector) & 0x27D00u);
        const bool relaxed = (ctx.caps.basic & bit(56)) != 0;
        EC_REQUIRE(relaxed ? (!has_code || may_have) : (has_code == wants),
                   "VM_ENTRY_INTR_INFO_FIELD", SEC_ENTRY,
                   "deliver-error-code (bit 11) must be set exactly for #DF, #TS, #NP, #SS, #GP, "
                   "#PF and #AC injected into a protected-mode guest");
        EC_REQUIRE((info & 0x7FFFF000u) == 0, "VM_ENTRY_INTR_INFO_FIELD", SEC_ENTRY,
                   "interruption-information bits 30:12 are reserved and must be 0");
        if (has_code)
            EC_REQUIRE((c.entry_exception_error_code & 0xFFFF0000u) == 0,
                       "VM_ENTRY_EXCEPTION_ERROR_CODE", SEC_ENTRY,
                       "exception error code bits 31:16 must be 0");
        if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
            type == INTR_TYPE_SW_EXCEPTION) {
            const bool zero_ok = (ctx.caps.misc & bit(30)) != 0; // IA32_VMX_MISC[30]
            const uint32_t len = c.entry_instruction_len;
            EC_REQUIRE((len >= 1 && len <= 15) || (len == 0 && zero_ok), "VM_ENTRY_INSTRUCTION_LEN",
                       SEC_ENTRY,
                       "software interrupts and exceptions need an instruction length of 1-15");
        }
    }

    // The kit never runs in SMM (precondition in entry_check.h).
    EC_REQUIRE(!(c.entry & (ENTRY_TO_SMM | ENTRY_DEACTIVATE_DUAL_MONITOR)), "VM_ENTRY_CONTROLS",
               SEC_ENTRY,
               "\"entry to SMM\" and \"deactivate dual-monitor treatment\" must be 0 "
               "outside SMM");
    EC_REQUIRE(msr_list_ok(c.entry_msr_load_addr, c.entry_msr_load_count, ctx.caps.max_phys_addr),
               "VM_ENTRY_MSR_LOAD_ADDR", SEC_ENTRY,
               "VM-entry MSR-load list must be 16-byte aligned and below MAXPHYADDR");
    return {};
}

} // namespace

kern::Result<void> check_vmx_controls(const Ctx& ctx) {
    TRY_VOID(check_exec(ctx));
    TRY_VOID(check_exit(ctx));
    TRY_VOID(check_entry(ctx));
    return {};
}

} // namespace hv::entry_check_detail
