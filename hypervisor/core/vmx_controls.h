// VMX capability arithmetic: which control settings, CR0/CR4 values and features the CPU's
// VMX capability MSRs allow (SDM Vol 3D Appendix A "VMX Capability Reporting Facility").
//
// Everything here is pure: the caller reads the MSRs (arch code) and passes their values in,
// so the host tests run it against values read from real CPUs and Bochs 2.7
// (tests/vmx_controls_test.cc).
#pragma once

#include <stdint.h>

#include "core/arch/msr.h"
#include "core/result.h"

namespace hv {

/// The five 32-bit control fields whose settings a capability MSR constrains.
enum class ControlClass : uint8_t {
    PIN_BASED,            ///< PIN_BASED_VM_EXEC_CONTROL (SDM A.3.1)
    PRIMARY_PROC_BASED,   ///< CPU_BASED_VM_EXEC_CONTROL (A.3.2)
    SECONDARY_PROC_BASED, ///< SECONDARY_VM_EXEC_CONTROL (A.3.3)
    VM_EXIT,              ///< VM_EXIT_CONTROLS (A.4)
    VM_ENTRY,             ///< VM_ENTRY_CONTROLS (A.5)
};

/// The capability MSR to read for @p c: the TRUE_ one if @p true_controls (IA32_VMX_BASIC bit
/// 55), which may allow "default1" controls to be 0 (SDM A.2). The secondary controls have no
/// TRUE_ MSR. The capability MSR numbers are kern::x86::IA32_VMX_* (core/arch/msr.h).
constexpr uint32_t control_capability_msr(ControlClass c, bool true_controls) {
    using namespace kern::x86; // the IA32_VMX_* numbers (core/arch/msr.h)
    switch (c) {
    case ControlClass::PIN_BASED:
        return true_controls ? IA32_VMX_TRUE_PINBASED_CTLS : IA32_VMX_PINBASED_CTLS;
    case ControlClass::PRIMARY_PROC_BASED:
        return true_controls ? IA32_VMX_TRUE_PROCBASED_CTLS : IA32_VMX_PROCBASED_CTLS;
    case ControlClass::SECONDARY_PROC_BASED:
        return IA32_VMX_PROCBASED_CTLS2;
    case ControlClass::VM_EXIT:
        return true_controls ? IA32_VMX_TRUE_EXIT_CTLS : IA32_VMX_EXIT_CTLS;
    case ControlClass::VM_ENTRY:
        return true_controls ? IA32_VMX_TRUE_ENTRY_CTLS : IA32_VMX_ENTRY_CTLS;
    }
    return 0;
}

/// A readable name for @p c, suitable as the `what` of adjust_controls().
constexpr const char* control_class_name(ControlClass c) {
    switch (c) {
    case ControlClass::PIN_BASED:
        return "pin-based VM-execution controls";
    case ControlClass::PRIMARY_PROC_BASED:
        return "primary processor-based VM-execution controls";
    case ControlClass::SECONDARY_PROC_BASED:
        return "secondary processor-based VM-execution controls";
    case ControlClass::VM_EXIT:
        return "VM-exit controls";
    case ControlClass::VM_ENTRY:
        return "VM-entry controls";
    }
    return "unknown controls";
}

/// The outcome of fitting wanted control bits to a capability MSR.
struct ControlAdjustment {
    uint32_t value;            ///< wanted | forced_bits, minus unsupported_bits: what is allowed
    uint32_t forced_bits;      ///< bits not wanted but that must be 1 (allowed-0 settings)
    uint32_t unsupported_bits; ///< bits wanted but that must be 0 (allowed-1 settings)

    /// True if every wanted bit is supported.
    constexpr bool ok() const { return unsupported_bits == 0; }
};

/// Fit @p wanted to @p capability_msr (SDM Vol 3D A.3-A.5): bits 31:0 are the allowed-0
/// settings (a 1 means the control must be 1), bits 63:32 the allowed-1 settings (a 0 means it
/// must be 0). Never fails; see ControlAdjustment::ok(). Lab 5, step 2.
ControlAdjustment check_controls(uint32_t wanted, uint64_t capability_msr);

/// @p wanted plus the bits that must be 1, or an Errc::unsupported Error whose `what` is
/// @p what (a static string naming the control class, e.g. control_class_name()) if some wanted
/// bit must be 0. Use check_controls() to learn which bits were refused. Lab 5, step 2.
kern::Result<uint32_t> adjust_controls(uint32_t wanted, uint64_t capability_msr, const char* what);

/// @p value with the bits forced by IA32_VMX_CR0/CR4_FIXED0/1 (SDM Vol 3D A.7, A.8): bits that
/// are 1 in @p fixed0 set, bits that are 0 in @p fixed1 cleared. For a guest with "unrestricted
/// guest", CR0.PE and CR0.PG may stay 0 although FIXED0 has them (SDM Vol 3C 27.3.1.1).
constexpr uint64_t adjust_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1) {
    return (value | fixed0) & fixed1;
}

/// The bits of @p value that VMX operation does not allow: 0 where @p fixed0 requires 1, or 1
/// where @p fixed1 requires 0. Zero means @p value is acceptable.
constexpr uint64_t cr_fixed_violations(uint64_t value, uint64_t fixed0, uint64_t fixed1) {
    return (fixed0 & ~value) | (value & ~fixed1);
}

/// Memory types reported by IA32_VMX_BASIC and IA32_VMX_EPT_VPID_CAP (SDM Vol 3D A.1).
enum class VmxMemoryType : uint8_t {
    UC = 0, ///< uncacheable
    WB = 6, ///< write-back
};

/// IA32_VMX_BASIC (SDM Vol 3D A.1 "Basic VMX Information").
struct VmxBasic {
    uint64_t raw; ///< the MSR value

    /// Bits 30:0: VMCS revision identifier, to write into the VMXON region and each VMCS.
    constexpr uint32_t revision_id() const { return raw & 0x7fffffff; }
    /// Bits 44:32: bytes to allocate for the VMXON region and a VMCS (at most 4096).
    constexpr uint32_t vmcs_size() const { return (raw >> 32) & 0x1fff; }
    /// Bit 48: VMXON/VMCS/bitmap addresses are limited to 32 bits.
    constexpr bool address_width_32() const { return (raw >> 48) & 1; }
    /// Bit 49: dual-monitor treatment of SMIs and SMM is supported.
    constexpr bool dual_monitor() const { return (raw >> 49) & 1; }
    /// Bits 53:50: memory type the CPU uses to access the VMCS and related structures.
    constexpr VmxMemoryType memory_type() const {
        return static_cast<VmxMemoryType>((raw >> 50) & 0xf);
    }
    /// Bit 54: VM exits for INS/OUTS report VMX_INSTRUCTION_INFO.
    constexpr bool ins_outs_info() const { return (raw >> 54) & 1; }
    /// Bit 55: the IA32_VMX_TRUE_*_CTLS MSRs exist and should be used (SDM A.2).
    constexpr bool true_controls() const { return (raw >> 55) & 1; }
    /// Bit 56: hardware exceptions may be injected with or without an error code regardless of
    /// vector.
    constexpr bool any_exception_error_code() const { return (raw >> 56) & 1; }
};
static_assert(sizeof(VmxBasic) == 8);

/// IA32_VMX_MISC (SDM Vol 3D A.6 "Miscellaneous Data").
struct VmxMisc {
    uint64_t raw; ///< the MSR value

    /// Bits 4:0: the VMX-preemption timer counts down by 1 each time TSC bit X changes, X = this.
    constexpr unsigned preemption_timer_rate() const { return raw & 0x1f; }
    /// Bit 5: VM exits store EFER.LMA into the "IA-32e mode guest" VM-entry control.
    constexpr bool stores_lma() const { return (raw >> 5) & 1; }
    /// Bit 6: the HLT activity state is supported.
    constexpr bool activity_hlt() const { return (raw >> 6) & 1; }
    /// Bit 7: the shutdown activity state is supported.
    constexpr bool activity_shutdown() const { return (raw >> 7) & 1; }
    /// Bit 8: the wait-for-SIPI activity state is supported.
    constexpr bool activity_wait_for_sipi() const { return (raw >> 8) & 1; }
    /// Bits 24:16: number of CR3-target values supported.
    constexpr unsigned cr3_target_count() const { return (raw >> 16) & 0x1ff; }
    /// Bits 27:25 (N): recommended maximum entries of each MSR load/store list, 512 * (N + 1).
    constexpr unsigned max_msr_list_entries() const { return 512 * (((raw >> 25) & 7) + 1); }
    /// Bit 29: VMWRITE may write any supported field, VM-exit information fields included.
    constexpr bool vmwrite_any_field() const { return (raw >> 29) & 1; }
    /// Bit 30: software interrupts/exceptions may be injected with instruction length 0.
    constexpr bool inject_zero_length() const { return (raw >> 30) & 1; }
    /// Bits 63:32: MSEG revision identifier.
    constexpr uint32_t mseg_revision_id() const { return raw >> 32; }
};
static_assert(sizeof(VmxMisc) == 8);

/// IA32_VMX_EPT_VPID_CAP (SDM Vol 3D A.10 "VPID and EPT Capabilities").
struct EptVpidCap {
    uint64_t raw; ///< the MSR value

    /// Bit 0: execute-only EPT translations.
    constexpr bool execute_only() const { return raw & 1; }
    /// Bit 6: 4-level EPT page walks.
    constexpr bool walk_length_4() const { return (raw >> 6) & 1; }
    /// Bit 7: 5-level EPT page walks.
    constexpr bool walk_length_5() const { return (raw >> 7) & 1; }
    /// Bit 8: EPT paging structures may be UC (EPTP memory type 0).
    constexpr bool memory_type_uc() const { return (raw >> 8) & 1; }
    /// Bit 14: EPT paging structures may be WB (EPTP memory type 6).
    constexpr bool memory_type_wb() const { return (raw >> 14) & 1; }
    /// Bit 16: 2-MByte pages (EPT PDE with bit 7 set).
    constexpr bool pages_2m() const { return (raw >> 16) & 1; }
    /// Bit 17: 1-GByte pages (EPT PDPTE with bit 7 set).
    constexpr bool pages_1g() const { return (raw >> 17) & 1; }
    /// Bit 20: INVEPT is supported.
    constexpr bool invept() const { return (raw >> 20) & 1; }
    /// Bit 21: accessed and dirty flags for EPT.
    constexpr bool accessed_dirty() const { return (raw >> 21) & 1; }
    /// Bit 22: advanced VM-exit information for EPT violations.
    constexpr bool advanced_exit_info() const { return (raw >> 22) & 1; }
    /// Bit 25: single-context INVEPT.
    constexpr bool invept_single_context() const { return (raw >> 25) & 1; }
    /// Bit 26: all-context INVEPT.
    constexpr bool invept_all_context() const { return (raw >> 26) & 1; }
    /// Bit 32: INVVPID is supported.
    constexpr bool invvpid() const { return (raw >> 32) & 1; }
    /// Bit 40: individual-address INVVPID.
    constexpr bool invvpid_individual_address() const { return (raw >> 40) & 1; }
    /// Bit 41: single-context INVVPID.
    constexpr bool invvpid_single_context() const { return (raw >> 41) & 1; }
    /// Bit 42: all-context INVVPID.
    constexpr bool invvpid_all_context() const { return (raw >> 42) & 1; }
    /// Bit 43: single-context-retaining-globals INVVPID.
    constexpr bool invvpid_single_context_retaining_globals() const { return (raw >> 43) & 1; }
};
static_assert(sizeof(EptVpidCap) == 8);

} // namespace hv
