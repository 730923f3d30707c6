// A stand-in for lab 7's ICR filter, so that the slave's exit-handler tests check the handlers'
// own plumbing (the ICR write performed or dropped, counted, reported) whether or not lab 7 is
// solved. Deliberately simpler than the real rules: allow a destination among the own APIC ids,
// whatever the rest of the ICR says.
#include "hypervisor/core/slave/icr_filter.h"

namespace hv {

IcrVerdict check_icr_write(uint64_t icr, const uint32_t* own_ids, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (uint32_t(icr >> 32) == own_ids[i]) return IcrVerdict::allow;
    return IcrVerdict::deny_destination;
}

} // namespace hv
