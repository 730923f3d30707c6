// Lab 2, step 2: the IOAPICs' redirection tables: every pin masked at boot, and an ISA IRQ
// routed to a vector on a CPU.
//
// The contracts are in ioapic.h. read_register() and write_register() (given) reach an
// IOAPIC's registers; core/arch/ioapic_bits.h names them (82093AA datasheet 3.2); the MADT
// (g_madt, platform.h) lists the IOAPICs, each with its address and first GSI.
#include "arch/x86_64/apic/ioapic.h"

#include "arch/x86_64/cpu.h"
#include "core/arch/ioapic_bits.h"
#include "core/irq/ioapic_route.h"
#include "platform.h"

namespace kern::ioapic {

namespace {
/// The pins of the IOAPIC at `base`: IOAPICVER's Maximum Redirection Entry, plus one.
uint32_t pin_count(uint64_t base) {
    return (read_register(base, IOAPICVER) >> IOAPICVER_MAX_REDIR_SHIFT & 0xFF) + 1;
}

/// Write entry `pin` of the IOAPIC at `base`. The low dword holds the mask: mask first, then
/// the destination (high dword), then the low dword as wanted, so the pin never fires to a
/// half-written destination.
void write_entry(uint64_t base, uint32_t pin, uint64_t entry) {
    uint32_t low = IOREDTBL + 2 * pin;
    write_register(base, low, uint32_t(REDIR_MASKED));
    write_register(base, low + 1, uint32_t(entry >> 32));
    write_register(base, low, uint32_t(entry));
}

/// The IOAPIC and pin that serve `gsi`, or false.
bool find_pin(uint32_t gsi, uint64_t* base, uint32_t* pin) {
    for (uint32_t i = 0; i < g_madt.ioapic_count; ++i) {
        const acpi::MadtIoApic& io = g_madt.ioapics[i];
        if (gsi >= io.gsi_base && gsi - io.gsi_base < pin_count(io.address)) {
            *base = io.address;
            *pin = gsi - io.gsi_base;
            return true;
        }
    }
    return false;
}
} // namespace

void init() {
    for (uint32_t i = 0; i < g_madt.ioapic_count; ++i) {
        uint64_t base = g_madt.ioapics[i].address;
        for (uint32_t pin = 0, n = pin_count(base); pin < n; ++pin)
            write_entry(base, pin, REDIR_MASKED);
    }
}

Result<void> route_isa_irq(uint8_t irq, uint8_t vector, uint32_t apic_id) {
    irq::IsaRoute r = irq::isa_irq_route(g_madt, irq);
    uint64_t entry = TRY(irq::redirection_entry(vector, apic_id, r.active_low, r.level, false));
    cpu::IrqSave off;
    uint64_t base;
    uint32_t pin;
    if (!find_pin(r.gsi, &base, &pin)) return Error{Errc::not_found, "no IOAPIC has the IRQ's GSI"};
    write_entry(base, pin, entry);
    return {};
}

Result<void> mask_isa_irq(uint8_t irq) {
    irq::IsaRoute r = irq::isa_irq_route(g_madt, irq);
    cpu::IrqSave off;
    uint64_t base;
    uint32_t pin;
    if (!find_pin(r.gsi, &base, &pin)) return Error{Errc::not_found, "no IOAPIC has the IRQ's GSI"};
    uint32_t low = IOREDTBL + 2 * pin;
    write_register(base, low, read_register(base, low) | uint32_t(REDIR_MASKED));
    return {};
}

} // namespace kern::ioapic
