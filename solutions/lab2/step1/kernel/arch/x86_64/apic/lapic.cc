// Lab 2, step 1: the local APIC: enabled on every CPU, and its timer, the kernel's only
// source of time-driven interrupts (SDM Vol 3A chapter 11; 11.4.3 enabling it, 11.5 the LVT
// and the timer, 11.8.5 EOI, 11.9 the spurious-interrupt vector, 11.12.5 x2APIC mode).
#include "arch/x86_64/apic/lapic.h"

#include "arch/x86_64/cpu.h"
#include "core/arch/msr.h"
#include "core/arch/vectors.h"

namespace kern::lapic {

namespace {
using namespace x86; // the MSRs
} // namespace

void init_cpu() {
    uint64_t base = cpu::rdmsr(IA32_APIC_BASE);
    base |= IA32_APIC_BASE_EN;
    // xAPIC -> x2APIC must go through "enabled xAPIC" first (SDM 11.12.5, Figure 11-27).
    cpu::wrmsr(IA32_APIC_BASE, base);
    if (x2apic()) cpu::wrmsr(IA32_APIC_BASE, base | IA32_APIC_BASE_EXTD);
    write(TPR, 0);
    write(LVT_TIMER, LVT_MASKED);
    write(LVT_LINT0, LVT_MASKED);
    write(LVT_LINT1, LVT_MASKED);
    write(LVT_ERROR, LVT_MASKED);
    write(SVR, SVR_APIC_ENABLE | VEC_SPURIOUS);
    write(ESR, 0); // a write clears the errors logged so far (SDM 11.5.3)
    eoi();
}

void eoi() {
    write(EOI, 0);
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

} // namespace kern::lapic
