// Lab 2: waking an application processor.
//
// After reset only the bootstrap processor (BSP) runs; the others wait for an INIT IPI
// followed by Start-Up IPIs (SIPIs). The "universal start-up algorithm" (SDM Vol 3A 9.4.4.1
// "Typical BSP Initialization Sequence", and the MultiProcessor Specification B.4) is:
//
//   1. send INIT to the AP                           (delivery mode INIT, level assert)
//   2. wait 10 ms
//   3. send a SIPI whose vector is the trampoline's page number (the AP starts at vector << 12)
//   4. wait 200 us
//   5. if the AP is not online yet, send a second SIPI
//   6. wait until `*online` becomes true, at most timeout_us; else fail with Errc::timeout
//
// Use lapic::send_ipi(apic_id, icr_low) with icr_low built from lapic::Delivery values,
// lapic::ICR_LEVEL_ASSERT (bit 14) and, for SIPI, the vector in bits 7:0 (SDM Figure 11-12), and
// udelay() from arch/x86_64/time/clock.h for the waits.
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/smp/smp.h"
#include "arch/x86_64/time/clock.h"

namespace kern {

Result<void> start_ap(uint32_t apic_id, uint8_t trampoline_page, const volatile bool* online,
                      uint64_t timeout_us) {
    // TODO(lab2): the INIT-SIPI-SIPI sequence above.
    (void)apic_id;
    (void)trampoline_page;
    (void)online;
    (void)timeout_us;
    return Error{Errc::unsupported, "TODO(lab2): start_ap"};
}

} // namespace kern
