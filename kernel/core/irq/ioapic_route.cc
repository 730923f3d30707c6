// Lab 2, step 2: where an ISA IRQ arrives, and the IOAPIC entry that sends it to a CPU.
//
// The contracts are in ioapic_route.h; the entry's bits are named in core/arch/ioapic_bits.h
// (from the 82093AA datasheet, 3.2.4), the overrides' flags in core/acpi/madt.h (MadtIso).
#include "core/irq/ioapic_route.h"

#include "core/arch/ioapic_bits.h"

namespace kern::irq {

IsaRoute isa_irq_route(const acpi::MadtInfo& madt, uint8_t irq) {
    // TODO(lab2)
    (void)madt;
    (void)irq;
    return IsaRoute{};
}

Result<uint64_t> redirection_entry(uint8_t vector, uint32_t apic_id, bool active_low, bool level,
                                   bool masked) {
    // TODO(lab2)
    (void)vector;
    (void)apic_id;
    (void)active_low;
    (void)level;
    (void)masked;
    return Error{Errc::unsupported, "TODO(lab2): redirection_entry"};
}

} // namespace kern::irq
