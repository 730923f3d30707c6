// Routing a device's interrupt: where an ISA IRQ arrives (the MADT's interrupt source
// overrides) and the IOAPIC redirection-table entry that sends it to a CPU. Pure: lab 2's
// host tests check it; arch/x86_64/apic/ioapic.cc writes the entries into the IOAPIC.
#pragma once

#include "core/acpi/madt.h"
#include "core/result.h"

#include <stdint.h>

namespace kern::irq {

/// Where an ISA IRQ arrives and how its line signals.
struct IsaRoute {
    uint32_t gsi;    ///< the Global System Interrupt: an IOAPIC pin (ACPI 5.2.13)
    bool active_low; ///< polarity: the line is asserted low
    bool level;      ///< trigger mode: level (else edge)
};

/// Lab 2: the route of ISA IRQ `irq` (0-15) on this machine: an Interrupt Source Override for
/// bus 0 (ISA) and source `irq` in `madt` gives the GSI and the signal (its flags, ACPI 5.2.12.5
/// Table 5.50; "conforms to the bus" means the ISA bus's own: active high, edge-triggered);
/// without one, GSI `irq` with the ISA bus's signal.
IsaRoute isa_irq_route(const acpi::MadtInfo& madt, uint8_t irq);

/// Lab 2: the 64-bit IOAPIC redirection-table entry that delivers the pin's interrupt as
/// `vector` (fixed delivery) to the CPU with APIC id `apic_id` (physical destination), with
/// the pin's signal `active_low` and `level`, masked or not (core/arch/ioapic_bits.h).
/// Errc::invalid_argument for a vector below 16 (the APIC's reserved range, SDM Vol 3A 11.5.2)
/// or 255, and for an APIC id above 255 (not addressable without interrupt remapping).
Result<uint64_t> redirection_entry(uint8_t vector, uint32_t apic_id, bool active_low, bool level,
                                   bool masked);

} // namespace kern::irq
