// Lab 6 solution, step 3: EPT violations (SDM Vol 3C 29.3.3.2) and dirty logging.
#include "hypervisor/core/ept/ept_violation.h"

#include "hypervisor/core/ept/dirty_log.h"

namespace hv::exits {

namespace {

const char* access_name(const EptViolationInfo& q) {
    return q.fetch ? "instruction fetch" : q.write ? "write" : "read";
}

} // namespace

template <VmcsAccess A> bool handle_ept_violation(Vmcs<A>& v, GuestRegs&, GuestContext& ctx) {
    const uint64_t gpa = v.read(GUEST_PHYSICAL_ADDRESS);
    const EptViolationInfo q = EptViolationInfo::decode(v.read(EXIT_QUALIFICATION));
    char line[200];

    if (ctx.dirty && ctx.ept && q.write && q.readable && !q.writable &&
        gpa < ctx.config.ram_bytes) {
        const uint64_t page = gpa & ~(kern::PAGE_SIZE - 1);
        auto r = ctx.ept->protect(page, kern::PAGE_SIZE, EPT_PERMS);
        if (!r.ok()) {
            kern::snformat(line, sizeof line,
                           "guest '%s': dirty log: cannot make guest-physical %#lx writable: %s",
                           ctx.config.name, page, r.error().what);
            ctx.env.log(line);
            return stop(ctx, GuestEnd::unhandled_exit, gpa);
        }
        ctx.dirty->mark(page / kern::PAGE_SIZE);
        ctx.env.invept(ctx.ept->eptp(false));
        return false; // no skip: the write runs again
    }

    if (q.linear_address_valid)
        kern::snformat(line, sizeof line,
                       "guest '%s': EPT violation: %s of guest-physical %#lx at RIP %#lx "
                       "(linear %#lx): stopped",
                       ctx.config.name, access_name(q), gpa, v.read(GUEST_RIP),
                       v.read(GUEST_LINEAR_ADDRESS));
    else
        kern::snformat(line, sizeof line,
                       "guest '%s': EPT violation: %s of guest-physical %#lx at RIP %#lx: stopped",
                       ctx.config.name, access_name(q), gpa, v.read(GUEST_RIP));
    ctx.env.log(line);
    return stop(ctx, GuestEnd::ept_violation, gpa);
}

} // namespace hv::exits

#include "hypervisor/core/ept/ept_violation_instances.h"
