// Lab 7 solution: the x2APIC ICR filter (rules in icr_filter.h).
#include "hypervisor/core/slave/icr_filter.h"

namespace hv {

IcrVerdict check_icr_write(uint64_t icr, const uint32_t* own_ids, size_t n) {
    uint32_t vector = icr & 0xFF;
    uint32_t delivery = (icr >> 8) & 7;
    bool logical = (icr >> 11) & 1;
    uint32_t shorthand = (icr >> 18) & 3;
    uint32_t dest = uint32_t(icr >> 32);
    if (delivery != 0) return IcrVerdict::deny_delivery_mode;
    if (vector < 16) return IcrVerdict::deny_vector;
    if (shorthand == 1) return IcrVerdict::allow; // self
    if (shorthand != 0) return IcrVerdict::deny_broadcast;
    if (logical) return IcrVerdict::deny_logical;
    for (size_t i = 0; i < n; ++i)
        if (own_ids[i] == dest) return IcrVerdict::allow;
    return IcrVerdict::deny_destination;
}

} // namespace hv
