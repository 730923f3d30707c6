// The I/O APICs: the pins that device interrupts arrive on, and where each pin sends its
// interrupt (82093AA datasheet; the IOAPICs and their GSI ranges come from the MADT).
#pragma once

#include "core/result.h"

#include <stdint.h>

namespace kern::ioapic {

/// Lab 2: mask every pin of every IOAPIC the MADT lists (g_madt, platform.h): no device
/// interrupt arrives until a driver routes it. Boot calls it on the BSP, interrupts off.
void init();

/// Lab 2: send ISA IRQ `irq`'s interrupt to `vector` on the CPU with APIC id `apic_id`,
/// unmasked: the pin is the GSI irq::isa_irq_route() names, on the IOAPIC whose range of GSIs
/// (its gsi_base, and as many pins as its IOAPICVER says) holds it; the entry is
/// irq::redirection_entry()'s. Errc::not_found if no IOAPIC has that GSI; the entry's errors
/// as they are. The pin must never be seen half-written with a wrong destination unmasked.
Result<void> route_isa_irq(uint8_t irq, uint8_t vector, uint32_t apic_id);

/// Lab 2: mask ISA IRQ `irq`'s pin (found as route_isa_irq() finds it); Errc::not_found if no
/// IOAPIC has it.
Result<void> mask_isa_irq(uint8_t irq);

/// Given (ioapic_access.cc): read register `index` of the IOAPIC at physical `base` (IOREGSEL,
/// then IOWIN; datasheet 3.1). Interrupts off: the two accesses must not be split.
uint32_t read_register(uint64_t base, uint32_t index);
/// Given (ioapic_access.cc): write register `index` of the IOAPIC at `base`. Interrupts off.
void write_register(uint64_t base, uint32_t index, uint32_t value);
/// Given (ioapic_access.cc): the 64-bit redirection-table entry of GSI `gsi` as the IOAPIC
/// holds it, or 0 if no IOAPIC has that GSI; for tests and diagnostics.
uint64_t read_entry(uint32_t gsi);

} // namespace kern::ioapic
