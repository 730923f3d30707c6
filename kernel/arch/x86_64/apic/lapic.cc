#include "arch/x86_64/apic/lapic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"

namespace kern::lapic {

namespace {
using namespace x86; // the MSRs and CPUID flags

bool g_x2apic = false;
volatile uint32_t* g_mmio = nullptr;
} // namespace

void choose_mode(uint64_t mmio) {
    g_x2apic = (cpu::cpuid(1).ecx & CPUID_1_ECX_X2APIC) != 0;
    g_mmio = reinterpret_cast<volatile uint32_t*>(mmio ? mmio : XAPIC_DEFAULT_BASE);
}

bool x2apic() {
    return g_x2apic;
}

uint32_t read(Reg r) {
    if (g_x2apic) return uint32_t(cpu::rdmsr(x2apic_msr(r)));
    return g_mmio[r / 4];
}

void write(Reg r, uint32_t v) {
    if (g_x2apic)
        cpu::wrmsr(x2apic_msr(r), v);
    else
        g_mmio[r / 4] = v;
}

void init_cpu() {
    uint64_t base = cpu::rdmsr(IA32_APIC_BASE);
    base |= IA32_APIC_BASE_EN;
    // xAPIC -> x2APIC must go through "enabled xAPIC" first (SDM 11.12.5, Figure 11-27).
    cpu::wrmsr(IA32_APIC_BASE, base);
    if (g_x2apic) cpu::wrmsr(IA32_APIC_BASE, base | IA32_APIC_BASE_EXTD);
    write(TPR, 0);
    write(LVT_TIMER, LVT_MASKED);
    write(LVT_LINT0, LVT_MASKED);
    write(LVT_LINT1, LVT_MASKED);
    write(LVT_ERROR, LVT_MASKED);
    write(SVR, SVR_APIC_ENABLE | VEC_SPURIOUS);
    write(ESR, 0); // back-to-back writes clear the error status (SDM 11.5.3)
    write(ESR, 0);
    eoi();
}

uint32_t id() {
    uint32_t v = read(ID);
    return g_x2apic ? v : v >> 24;
}

void eoi() {
    write(EOI, 0);
}

void send_ipi(uint32_t dest, uint32_t icr_low) {
    if (g_x2apic) {
        // One 64-bit write: destination in bits 63:32 (SDM 11.12.9).
        cpu::wrmsr(IA32_X2APIC_ICR, (uint64_t(dest) << 32) | icr_low);
        return;
    }
    write(ICR_HIGH, dest << 24);
    write(ICR_LOW, icr_low); // the low write sends
    for (int i = 0; i < 1000000 && (read(ICR_LOW) & ICR_DELIVERY_STATUS); ++i)
        cpu::pause();
}

bool has_tsc_deadline() {
    return (cpu::cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE) != 0;
}

void timer_oneshot(uint8_t vector, uint32_t ticks) {
    write(TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
    write(LVT_TIMER, ONE_SHOT | vector);
    write(TIMER_INITIAL_COUNT, ticks);
}

void timer_deadline(uint8_t vector, uint64_t deadline) {
    write(LVT_TIMER, TSC_DEADLINE | vector);
    // The LVT write must be ordered before the deadline write (SDM 11.5.4.1).
    cpu::mfence();
    cpu::wrmsr(IA32_TSC_DEADLINE, deadline);
}

void timer_stop() {
    write(LVT_TIMER, LVT_MASKED);
    write(TIMER_INITIAL_COUNT, 0);
    if (has_tsc_deadline()) cpu::wrmsr(IA32_TSC_DEADLINE, 0);
}

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
