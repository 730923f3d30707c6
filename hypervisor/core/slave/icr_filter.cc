// Lab 7: the x2APIC ICR filter. Why it exists and the ICR's layout: icr_filter.h.
//
// check_icr_write(icr, own_ids, n) decides one ICR write by the slave:
//   - delivery mode (bits 10:8) other than fixed (0)        -> IcrVerdict::deny_delivery_mode
//   - vector (bits 7:0) below 16                            -> IcrVerdict::deny_vector
//   - shorthand (bits 19:18) 01b "self"                     -> IcrVerdict::allow
//   - shorthand 10b or 11b (all incl./excl. self)           -> IcrVerdict::deny_broadcast
//   - no shorthand, logical destination mode (bit 11)       -> IcrVerdict::deny_logical
//   - no shorthand, physical, destination (bits 63:32) one of own_ids[0..n) -> IcrVerdict::allow
//   - anything else                                         -> IcrVerdict::deny_destination
// Check in that order: the first rule that applies decides.
#include "hypervisor/core/slave/icr_filter.h"

namespace hv {

IcrVerdict check_icr_write(uint64_t icr, const uint32_t* own_ids, size_t n) {
    // TODO(lab7): apply the rules above. (Until then every IPI is refused: the master is safe,
    // but Linux cannot interrupt itself through the ICR.)
    (void)icr;
    (void)own_ids;
    (void)n;
    return IcrVerdict::deny_destination;
}

} // namespace hv
