// A pure VM-entry checker: "validate, then apply": a failed VMLAUNCH then names the field at fault.
//
// Before VMLAUNCH/VMRESUME the hypervisor fills a VmxState with what it will write into the
// VMCS and runs check_vm_entry() on it. The checks follow SDM Vol 3C chapter 27 "VM Entries"
// (chapter 26 before the 2023 editions):
//   27.2.1 "Checks on VMX Controls"                       (entry_check_controls.cc)
//   27.2.2-27.2.4 host control registers, segments, address-space size (entry_check_host.cc)
//   27.3.1.1, .3, .4, .6 guest registers, descriptor tables, RIP/RFLAGS, PDPTEs
//                                                          (entry_check_guest_regs.cc)
//   27.3.1.2 "Checks on Guest Segment Registers"          (entry_check_guest_segments.cc)
//   27.3.1.5 "Checks on Guest Non-Register State"         (entry_check_guest_nonreg.cc)
// in the SDM's order, and stop at the first failure, naming the VMCS field at fault.
//
// What it cannot see: memory the VMCS points to (the VMCS revision ID, MSR-load lists, the
// virtual-APIC page's VTPR, PDPTEs in guest memory when EPT is off), and checks that need the
// current CPU state beyond this contract. Preconditions: the caller runs in IA-32e mode (a 64-bit
// host, so 27.2.4 requires "host address-space size"), outside SMM, and uses no VMCS shadowing
// and no VMCS link pointer (kit policy: VMCS_LINK_POINTER must be ~0).
// Not covered: the CET, PKRS, PERF_GLOBAL_CTRL, BNDCFGS, posted-interrupt, VM-function and
// sub-page rules; the capability MSRs keep Bochs from enabling those features anyway.
// Held to the CPU by a differential test (entry_diff.h, perturb.h, test=entry_diff in Bochs;
// docs/entry-check.md lists the places where Bochs departs from the SDM).
#pragma once

#include "core/result.h"
#include "hypervisor/core/entry_check/vmx_state.h"

namespace hv {

/// Which rule a state broke: the VMCS field, the SDM section and a fixed description.
struct EntryCheckFailure {
    const char* field; ///< VMCS field name as in the SDM/Linux, e.g. "GUEST_CS_AR_BYTES"
    const char*
        section; ///< SDM section, e.g. "SDM Vol 3C 27.3.1.2 Checks on Guest Segment Registers"
    const char* message; ///< static text naming the rule, e.g. "CS type must be 9, 11, 13 or 15"
};

/// Check @p state against the VM-entry rules of SDM Vol 3C 27.2 and 27.3.1 as the CPU described
/// by @p caps would. Pure: reads only its arguments. Returns success, or an Errc::invalid_argument
/// Error whose `what` is the rule's message; on failure also fills @p detail if it is not null.
/// @param state  the values about to be written into the VMCS
/// @param caps   the CPU's VMX capability MSRs
/// @param detail where to store the failing field and section; may be nullptr
kern::Result<void> check_vm_entry(const VmxState& state, const VmxCaps& caps,
                                  EntryCheckFailure* detail);

} // namespace hv
