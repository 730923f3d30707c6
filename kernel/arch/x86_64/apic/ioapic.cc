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

void init() {
    // TODO(lab2): mask every pin.
}

Result<void> route_isa_irq(uint8_t irq, uint8_t vector, uint32_t apic_id) {
    // TODO(lab2)
    (void)irq;
    (void)vector;
    (void)apic_id;
    return Error{Errc::unsupported, "TODO(lab2): ioapic::route_isa_irq"};
}

Result<void> mask_isa_irq(uint8_t irq) {
    // TODO(lab2)
    (void)irq;
    return Error{Errc::unsupported, "TODO(lab2): ioapic::mask_isa_irq"};
}

} // namespace kern::ioapic
