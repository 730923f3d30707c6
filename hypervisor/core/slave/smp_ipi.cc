#include "hypervisor/core/slave/smp_ipi.h"

#include "core/arch/apic_bits.h"

namespace hv {

using namespace kern::lapic;

StartupIpi decode_startup_ipi(uint64_t icr, const uint32_t* own_ids, size_t n, size_t self) {
    uint64_t delivery = icr & ICR_DELIVERY_MASK;
    if (delivery != INIT && delivery != STARTUP) return {};
    if ((icr & ICR_SHORTHAND_MASK) != SHORTHAND_NONE || (icr & ICR_DESTINATION_LOGICAL)) return {};
    uint32_t dest = uint32_t(icr >> ICR_X2APIC_DESTINATION_SHIFT);
    for (size_t i = 0; i < n; ++i) {
        if (own_ids[i] != dest) continue;
        if (i == self) return {}; // its own CPU: the filter refuses it
        StartupIpi s;
        s.target = i;
        if (delivery == STARTUP) {
            s.kind = StartupIpi::startup;
            s.vector = uint8_t(icr & ICR_VECTOR_MASK);
        } else {
            s.kind = (icr & ICR_LEVEL_ASSERT) ? StartupIpi::init : StartupIpi::init_deassert;
        }
        return s;
    }
    return {};
}

size_t expand_broadcast(uint64_t icr, const uint32_t* own_ids, size_t n, size_t self,
                        uint64_t* out) {
    uint64_t shorthand = icr & ICR_SHORTHAND_MASK;
    if (n < 2 ||
        (shorthand != SHORTHAND_ALL_INCLUDING_SELF && shorthand != SHORTHAND_ALL_EXCLUDING_SELF))
        return 0;
    // Physical destination mode, no shorthand, each of its CPUs as the destination.
    uint64_t base = icr & (ICR_VECTOR_MASK | ICR_DELIVERY_MASK | ICR_LEVEL_ASSERT);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (i != self || shorthand == SHORTHAND_ALL_INCLUDING_SELF)
            out[k++] = base | (uint64_t(own_ids[i]) << ICR_X2APIC_DESTINATION_SHIFT);
    return k;
}

} // namespace hv
