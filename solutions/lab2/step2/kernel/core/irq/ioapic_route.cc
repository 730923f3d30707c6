// Lab 2, step 2: where an ISA IRQ arrives, and the IOAPIC entry that sends it to a CPU.
//
// The contracts are in ioapic_route.h; the entry's bits are named in core/arch/ioapic_bits.h
// (from the 82093AA datasheet, 3.2.4), the overrides' flags in core/acpi/madt.h (MadtIso).
#include "core/irq/ioapic_route.h"

#include "core/arch/ioapic_bits.h"

namespace kern::irq {

namespace {
// MPS INTI flags (ACPI Table 5.50): polarity bits 1:0, trigger bits 3:2.
constexpr uint8_t INTI_ACTIVE_LOW = 3;
constexpr uint8_t INTI_LEVEL = 3;
constexpr uint8_t ISA_BUS = 0;
constexpr uint8_t FIRST_USABLE_VECTOR = 16;
constexpr uint32_t MAX_PHYSICAL_APIC_ID = 0xFF;
} // namespace

IsaRoute isa_irq_route(const acpi::MadtInfo& madt, uint8_t irq) {
    for (uint32_t i = 0; i < madt.iso_count; ++i) {
        const acpi::MadtIso& o = madt.isos[i];
        if (o.bus == ISA_BUS && o.source == irq)
            return IsaRoute{o.gsi, o.polarity() == INTI_ACTIVE_LOW, o.trigger() == INTI_LEVEL};
    }
    return IsaRoute{irq, false, false};
}

Result<uint64_t> redirection_entry(uint8_t vector, uint32_t apic_id, bool active_low, bool level,
                                   bool masked) {
    if (vector < FIRST_USABLE_VECTOR || vector == 0xFF)
        return Error{Errc::invalid_argument, "vector below 16 or 255"};
    if (apic_id > MAX_PHYSICAL_APIC_ID)
        return Error{Errc::invalid_argument, "APIC id above 255: needs interrupt remapping"};
    uint64_t e = vector; // fixed delivery (000), physical destination mode (0)
    if (active_low) e |= ioapic::REDIR_INTPOL_LOW;
    if (level) e |= ioapic::REDIR_TRIGGER_LEVEL;
    if (masked) e |= ioapic::REDIR_MASKED;
    return e | uint64_t(apic_id) << ioapic::REDIR_DEST_SHIFT;
}

} // namespace kern::irq
