// check_vm_entry: derive the mode facts once, then run the SDM's checks in the SDM's order
// (controls, host state, guest state) and stop at the first failure.
#include "hypervisor/core/entry_check/entry_check.h"

#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv {

namespace entry_check_detail {

kern::Error fail(const Ctx& ctx, const char* field, const char* section, const char* message) {
    if (ctx.detail != nullptr) *ctx.detail = EntryCheckFailure{field, section, message};
    return kern::Error{kern::Errc::invalid_argument, message};
}

} // namespace entry_check_detail

kern::Result<void> check_vm_entry(const VmxState& state, const VmxCaps& caps,
                                  EntryCheckFailure* detail) {
    using namespace entry_check_detail;
    using namespace vmx_bits;
    using namespace kern::x86;

    // SDM 25.6.2: with "activate secondary controls" clear, the CPU acts as if every secondary
    // control were 0, whatever the field holds.
    const uint32_t proc2 =
        (state.ctl.proc_based & PROC_ACTIVATE_SECONDARY) ? state.ctl.proc_based2 : 0;
    const Ctx ctx{
        .s = state,
        .caps = caps,
        .detail = detail,
        .proc2 = proc2,
        .ia32e_guest = (state.ctl.entry & ENTRY_IA32E_MODE_GUEST) != 0,
        .unrestricted = (proc2 & PROC2_UNRESTRICTED_GUEST) != 0,
        .ept = (proc2 & PROC2_ENABLE_EPT) != 0,
        .v8086 = (state.guest.rflags & RFLAGS_VM) != 0,
    };
    if (detail != nullptr) *detail = EntryCheckFailure{"", "", ""};

    // 27.2: controls and host state; a failure here is "VMfailValid" with error number 7 or 8.
    TRY_VOID(check_vmx_controls(ctx));
    TRY_VOID(check_host(ctx));
    // 27.3.1: guest state; a failure here is a VM exit with reason 33 ("invalid guest state").
    TRY_VOID(check_guest_cr_msrs(ctx));
    TRY_VOID(check_guest_segments(ctx));
    TRY_VOID(check_guest_dt_rip_rflags(ctx));
    TRY_VOID(check_guest_nonreg(ctx));
    TRY_VOID(check_guest_pdptes(ctx));
    return {};
}

} // namespace hv
