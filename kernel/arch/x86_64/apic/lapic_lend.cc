// Lending the local APIC to a guest that programs it directly (the Linux slave on its own
// CPU) and taking it back. Given code.
#include "arch/x86_64/apic/lapic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/arch/msr.h"

namespace kern::lapic {

using namespace x86; // the MSRs

LentConfig lend_to_guest() {
    LentConfig c{read(SVR),       read(TPR),         read(TIMER_DIVIDE),
                 read(LVT_TIMER), read(LVT_THERMAL), read(LVT_PERF),
                 read(LVT_LINT0), read(LVT_LINT1),   read(LVT_ERROR)};
    this_cpu().lapic_lent = true;
    cpu::wrmsr(IA32_TSC_DEADLINE, 0);
    write(LVT_TIMER, LVT_MASKED);
    return c;
}

void take_back_from_guest(const LentConfig& c) {
    cpu::wrmsr(IA32_TSC_DEADLINE, 0);
    static constexpr Reg LVTS[] = {LVT_TIMER, LVT_THERMAL, LVT_PERF,
                                   LVT_LINT0, LVT_LINT1,   LVT_ERROR};
    for (Reg lvt : LVTS)
        write(lvt, LVT_MASKED);
    for (int n = 0; n < 256; ++n) { // at most one EOI per vector
        bool in_service = false;
        for (uint32_t i = 0; i < 8; ++i)
            in_service |= read(Reg(ISR0 + 0x10 * i)) != 0;
        if (!in_service) break;
        eoi();
    }
    write(SVR, c.svr);
    write(TPR, c.tpr);
    write(TIMER_DIVIDE, c.divide);
    write(LVT_TIMER, c.lvt_timer);
    write(LVT_THERMAL, c.lvt_thermal);
    write(LVT_PERF, c.lvt_perf);
    write(LVT_LINT0, c.lvt_lint0);
    write(LVT_LINT1, c.lvt_lint1);
    write(LVT_ERROR, c.lvt_error);
}

} // namespace kern::lapic
