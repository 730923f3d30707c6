// The IOAPIC's indirect register access (82093AA datasheet 3.1): the index goes to IOREGSEL,
// the value comes and goes through IOWIN. The MMIO lies in the top GiB of the first 4, which
// entry.S maps uncached. Given code.
#include "arch/x86_64/apic/ioapic.h"

#include "arch/x86_64/cpu.h"
#include "core/arch/ioapic_bits.h"
#include "platform.h"

namespace kern::ioapic {

namespace {
volatile uint32_t* mmio(uint64_t base, uint32_t offset) {
    return reinterpret_cast<volatile uint32_t*>(base + offset);
}
} // namespace

uint32_t read_register(uint64_t base, uint32_t index) {
    *mmio(base, IOREGSEL) = index;
    return *mmio(base, IOWIN);
}

void write_register(uint64_t base, uint32_t index, uint32_t value) {
    *mmio(base, IOREGSEL) = index;
    *mmio(base, IOWIN) = value;
}

uint64_t read_entry(uint32_t gsi) {
    cpu::IrqSave off;
    for (uint32_t i = 0; i < g_madt.ioapic_count; ++i) {
        const acpi::MadtIoApic& io = g_madt.ioapics[i];
        uint32_t pins =
            (read_register(io.address, IOAPICVER) >> IOAPICVER_MAX_REDIR_SHIFT & 0xFF) + 1;
        if (gsi < io.gsi_base || gsi - io.gsi_base >= pins) continue;
        uint32_t pin = gsi - io.gsi_base;
        return uint64_t(read_register(io.address, IOREDTBL + 2 * pin + 1)) << 32 |
               read_register(io.address, IOREDTBL + 2 * pin);
    }
    return 0;
}

} // namespace kern::ioapic
