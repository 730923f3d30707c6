// Lab 2 solution: INIT-SIPI-SIPI (SDM Vol 3A 9.4.4.1; MP spec B.4).
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
    lapic::send_ipi(apic_id, sipi);
    if (wait_online(online, 200)) return {};
    lapic::send_ipi(apic_id, sipi);
    if (wait_online(online, timeout_us)) return {};
    return Error{Errc::timeout, "AP did not come online after INIT-SIPI-SIPI"};
}

} // namespace kern
