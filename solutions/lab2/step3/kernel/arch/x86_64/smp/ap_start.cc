// Lab 2, step 3: waking an application processor.
//
// After reset only the bootstrap processor (BSP) runs; every other CPU waits for the BSP to
// start it with inter-processor interrupts. start_ap() (contract in smp.h) wakes one so that
// it begins in real mode at physical address trampoline_page << 12 (smp.cc has put the
// trampoline there), and returns once the AP has said so through *online, or Errc::timeout.
// Which IPIs, in which order and with which waits between them: the SDM's start-up sequence
// (Vol 3A 9.4.4.1 "Typical BSP Initialization Sequence") and the MultiProcessor
// Specification's (B.4), which some CPUs need (a second Start-Up IPI).
//
// Tools: lapic::send_ipi() with the ICR's bits from core/arch/apic_bits.h (SDM Vol 3A 11.6.1,
// Figure 11-12); wait with udelay() from arch/x86_64/time/clock.h (the host test ap_start_test
// replaces both: its clock is the one udelay() moves).
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/smp/smp.h"
#include "arch/x86_64/time/clock.h"

namespace kern {

namespace {
using lapic::ICR_LEVEL_ASSERT;

bool wait_online(const volatile bool* online, uint64_t us) {
    // Poll in 10 us steps so a fast AP is noticed quickly.
    for (uint64_t waited = 0; waited < us; waited += 10) {
        if (*online) return true;
        udelay(10);
    }
    return *online;
}
} // namespace

Result<void> start_ap(uint32_t apic_id, uint8_t trampoline_page, const volatile bool* online,
                      uint64_t timeout_us) {
    lapic::send_ipi(apic_id, lapic::INIT | ICR_LEVEL_ASSERT);
    udelay(10000);
    uint32_t sipi = lapic::STARTUP | ICR_LEVEL_ASSERT | trampoline_page;
    // Two Start-Up IPIs, 200 us apart, as the SDM's sequence sends them (an AP that is already
    // running ignores the second).
    lapic::send_ipi(apic_id, sipi);
    udelay(200);
    lapic::send_ipi(apic_id, sipi);
    if (wait_online(online, timeout_us)) return {};
    return Error{Errc::timeout, "AP did not come online after INIT-SIPI-SIPI"};
}

} // namespace kern
