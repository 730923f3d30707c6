// A stand-in for lab 7's ICR filter, so that the slave's exit-handler tests check the handlers'
// own plumbing (the ICR write performed or dropped, counted, reported) whether or not lab 7 is
// solved. Deliberately simpler than the real rules: allow exactly the first own APIC id.
#include "hypervisor/core/slave/icr_filter.h"

namespace hv {

IcrVerdict check_icr_write(uint64_t icr, const uint32_t* own_ids, size_t n) {
    return n > 0 && uint32_t(icr >> 32) == own_ids[0] ? IcrVerdict::allow
                                                      : IcrVerdict::deny_destination;
}

} // namespace hv
