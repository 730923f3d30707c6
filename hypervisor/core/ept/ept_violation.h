// What the hypervisor does when a guest touches guest-physical memory its EPT does not allow:
// an EPT violation (SDM Vol 3C 29.3.3.2). The processor stops the access before it happens and
// exits with basic reason 48; GUEST_PHYSICAL_ADDRESS holds the address and EXIT_QUALIFICATION
// the access and what the EPT allowed (EptViolationInfo, SDM Vol 3C Table 28-7). The kit's
// exits::handle_other() hands every EPT violation here.
#pragma once

#include "hypervisor/core/exit_dispatch.h"

namespace hv::exits {

/// Handle the EPT violation that just happened.
///   - With dirty logging on (ctx.dirty and ctx.ept set): a data write to a page of guest RAM
///     (guest-physical [0, ctx.config.ram_bytes)) whose EPT entries allow reads but not writes is
///     the guest's first write to that page since the log was armed (dirty_log.h). Mark the page
///     in ctx.dirty, give that one 4 KiB page back its RAM access (EPT_PERMS) with
///     ctx.ept->protect(), invalidate the EPT's cached translations with
///     ctx.env.invept(ctx.ept->eptp(false)) (SDM Vol 3C 29.4.3.3: the old, read-only translation
///     may be cached), and resume the guest at the same instruction: it runs again and now
///     writes. If protect() fails (no frame to split a 2 MiB page), log a line saying so and stop
///     the guest with GuestEnd::unhandled_exit.
///   - Anything else (outside RAM, a read or an instruction fetch, no dirty log): log one line
///     naming the guest, the access ("read", "write" or "instruction fetch"), the guest-physical
///     address, the guest's RIP and, if EXIT_QUALIFICATION says it is valid, the linear address
///     (GUEST_LINEAR_ADDRESS); then stop the guest with GuestEnd::ept_violation and the
///     guest-physical address as detail.
/// Returns true if the guest must stop. Lab 6, step 3 (ept_violation.cc).
template <VmcsAccess A> bool handle_ept_violation(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx);

/// What the skeleton of handle_ept_violation() does: stop the guest and say why.
template <VmcsAccess A> bool ept_violation_not_written(Vmcs<A>& v, GuestContext& ctx) {
    char line[200];
    kern::snformat(line, sizeof line,
                   "guest '%s': no EPT-violation handling: handle_ept_violation() is not written "
                   "yet (lab 6, step 3); guest-physical %#lx, qualification %#lx",
                   ctx.config.name, v.read(GUEST_PHYSICAL_ADDRESS), v.read(EXIT_QUALIFICATION));
    ctx.env.log(line);
    return stop(ctx, GuestEnd::unhandled_exit, v.read(GUEST_PHYSICAL_ADDRESS));
}

} // namespace hv::exits
