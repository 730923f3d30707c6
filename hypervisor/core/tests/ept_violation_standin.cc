// A stand-in for lab 6's EPT-violation handler (ept/ept_violation.cc), so that the exit-handler
// tests of lab 5 and of the kit check their own code whether or not lab 6 is solved: every EPT
// violation stops the guest with GuestEnd::ept_violation at its guest-physical address.
#include "hypervisor/core/ept/ept_violation.h"

namespace hv::exits {

template <VmcsAccess A> bool handle_ept_violation(Vmcs<A>& v, GuestRegs&, GuestContext& ctx) {
    return stop(ctx, GuestEnd::ept_violation, v.read(GUEST_PHYSICAL_ADDRESS));
}

} // namespace hv::exits

#include "hypervisor/core/ept/ept_violation_instances.h"
