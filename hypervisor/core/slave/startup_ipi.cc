#include "hypervisor/core/slave/startup_ipi.h"

namespace hv {

namespace {
// ICR fields (SDM Vol 3A 11.12.9, Figure 11-28).
constexpr uint64_t ICR_VECTOR = 0xFF;                  // bits 7:0
constexpr unsigned ICR_DELIVERY_SHIFT = 8;             // bits 10:8: delivery mode
constexpr uint64_t ICR_DESTINATION_LOGICAL = 1u << 11; // bit 11: destination mode
constexpr uint64_t ICR_LEVEL_ASSERT = 1u << 14;        // bit 14: level
constexpr unsigned ICR_SHORTHAND_SHIFT = 18;           // bits 19:18: destination shorthand
constexpr unsigned ICR_DESTINATION_SHIFT = 32;         // bits 63:32: x2APIC id
constexpr uint32_t DELIVERY_INIT = 5;                  // 101b
constexpr uint32_t DELIVERY_STARTUP = 6;               // 110b
} // namespace

StartupIpi decode_startup_ipi(uint64_t icr, const uint32_t* own_ids, size_t n, size_t self) {
    uint32_t delivery = (icr >> ICR_DELIVERY_SHIFT) & 7;
    if (delivery != DELIVERY_INIT && delivery != DELIVERY_STARTUP) return {};
    if (((icr >> ICR_SHORTHAND_SHIFT) & 3) != 0 || (icr & ICR_DESTINATION_LOGICAL)) return {};
    uint32_t dest = uint32_t(icr >> ICR_DESTINATION_SHIFT);
    for (size_t i = 0; i < n; ++i) {
        if (own_ids[i] != dest) continue;
        if (i == self) return {}; // its own CPU: the filter refuses it
        StartupIpi s;
        s.target = i;
        if (delivery == DELIVERY_STARTUP) {
            s.kind = StartupIpi::startup;
            s.vector = uint8_t(icr & ICR_VECTOR);
        } else {
            s.kind = (icr & ICR_LEVEL_ASSERT) ? StartupIpi::init : StartupIpi::init_deassert;
        }
        return s;
    }
    return {};
}

} // namespace hv
