// Lab 2, step 1: the local APIC: enabled on every CPU, and its timer, the kernel's only
// source of time-driven interrupts (SDM Vol 3A chapter 11; 11.4.3 enabling it, 11.5 the LVT
// and the timer, 11.8.5 EOI, 11.9 the spurious-interrupt vector, 11.12.5 x2APIC mode).
//
// The contracts are in lapic.h. Reach the registers through read() and write() (given in
// lapic_access.cc: they use MSRs in x2APIC mode and MMIO otherwise); the register offsets and
// their bits are named in lapic.h and core/arch/apic_bits.h, the MSRs in core/arch/msr.h.
#include "arch/x86_64/apic/lapic.h"

#include "arch/x86_64/cpu.h"
#include "core/arch/msr.h"
#include "core/arch/vectors.h"

namespace kern::lapic {

void init_cpu() {
    // TODO(lab2): enable the LAPIC (x2APIC mode if x2apic()) and put it in a known state.
}

void eoi() {
    // TODO(lab2)
}

void timer_oneshot(uint8_t vector, uint32_t ticks) {
    // TODO(lab2)
    (void)vector;
    (void)ticks;
}

void timer_deadline(uint8_t vector, uint64_t deadline) {
    // TODO(lab2)
    (void)vector;
    (void)deadline;
}

void timer_stop() {
    // TODO(lab2)
}

} // namespace kern::lapic
