#include "hypervisor/core/slave/ioapic.h"

namespace hv {

namespace {
// Register indices (82093AA data sheet, Table 2).
constexpr uint32_t REG_ID = 0x00, REG_VER = 0x01, REG_ARB = 0x02, REG_RTE0 = 0x10;
constexpr uint32_t MAX_REDIR_SHIFT = 16; // VER bits 23:16: the highest pin's index
} // namespace

uint32_t IoApic::read(uint64_t offset) const {
    if (offset == IOREGSEL) return m_select;
    if (offset != IOWIN) return 0;
    uint32_t r = m_select & 0xFF;
    if (r == REG_ID || r == REG_ARB) return m_id;
    if (r == REG_VER) return VERSION | ((PINS - 1) << MAX_REDIR_SHIFT);
    if (r >= REG_RTE0 && r < REG_RTE0 + 2 * PINS)
        return __atomic_load_n(&m_rte[(r - REG_RTE0) / 2][(r - REG_RTE0) % 2], __ATOMIC_ACQUIRE);
    return 0;
}

void IoApic::write(uint64_t offset, uint32_t value) {
    if (offset == IOREGSEL) {
        m_select = value & 0xFF;
        return;
    }
    if (offset != IOWIN) return; // EOI: only level-triggered pins need it
    uint32_t r = m_select;
    if (r == REG_ID)
        m_id = value & (0xFu << 24); // bits 27:24, the I/O APIC's id
    else if (r >= REG_RTE0 && r < REG_RTE0 + 2 * PINS)
        __atomic_store_n(&m_rte[(r - REG_RTE0) / 2][(r - REG_RTE0) % 2], value, __ATOMIC_RELEASE);
}

uint64_t IoApic::entry(unsigned pin) const {
    if (pin >= PINS) return RTE_MASKED;
    return __atomic_load_n(&m_rte[pin][0], __ATOMIC_ACQUIRE) |
           uint64_t(__atomic_load_n(&m_rte[pin][1], __ATOMIC_ACQUIRE)) << 32;
}

int IoApic::vector(unsigned pin) const {
    uint64_t e = entry(pin);
    uint32_t v = uint32_t(e & 0xFF);
    if ((e & RTE_MASKED) || v < 32) return -1;
    return int(v);
}

} // namespace hv
