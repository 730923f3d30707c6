// Lab 6, step 3: EPT violations (SDM Vol 3C 29.3.3.2) and dirty logging. The contract is in
// ept_violation.h, the qualification's bits in EptViolationInfo (exit_qualification.h), the log
// in dirty_log.h.
#include "hypervisor/core/ept/ept_violation.h"

#include "hypervisor/core/ept/dirty_log.h"

namespace hv::exits {

template <VmcsAccess A> bool handle_ept_violation(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx) {
    // TODO(lab6): log the page a write-protected write reaches and let the write go on; stop
    // the guest, saying why, on every other violation.
    (void)r;
    return ept_violation_not_written(v, ctx);
}

} // namespace hv::exits

// Instantiates the template above for the VMCS back end of this build; keep it last.
#include "hypervisor/core/ept/ept_violation_instances.h"
