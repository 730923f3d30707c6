// The local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode (SDM Vol 3A chapter 11).
//
// x2APIC is used whenever the CPU has it (CPUID.1:ECX[21]): register accesses are MSRs, the
// ICR is one 64-bit write, and APIC ids are 32-bit. Otherwise xAPIC at the MADT's MMIO address.
#pragma once

#include "core/arch/apic_bits.h" // Delivery, TimerMode, the register bits

#include <stdint.h>

namespace kern::lapic {

/// Register offsets in xAPIC MMIO space (SDM Vol 3A Table 11-1); x2APIC MSR = 0x800 + off/16.
enum Reg : uint32_t {
    ID = 0x20,
    VERSION = 0x30,
    TPR = 0x80,
    EOI = 0xB0,
    SVR = 0xF0,       ///< spurious-interrupt vector register
    ISR0 = 0x100,     ///< in-service register, bits 31:0 (ISR0 + 0x10 * i: bits 32i+31:32i)
    IRR0 = 0x200,     ///< interrupt request register, bits 31:0 (same layout)
    ESR = 0x280,      ///< error status
    ICR_LOW = 0x300,  ///< interrupt command (x2APIC: the whole 64-bit ICR at MSR 0x830)
    ICR_HIGH = 0x310, ///< xAPIC only: destination in bits 31:24
    LVT_TIMER = 0x320,
    LVT_THERMAL = 0x330,
    LVT_PERF = 0x340,
    LVT_LINT0 = 0x350,
    LVT_LINT1 = 0x360,
    LVT_ERROR = 0x370,
    TIMER_INITIAL_COUNT = 0x380,
    TIMER_CURRENT_COUNT = 0x390,
    TIMER_DIVIDE = 0x3E0,
};

/// Given (lapic_access.cc): choose x2APIC or xAPIC for every CPU (call once on the BSP, before
/// init_cpu). `mmio` is the MADT's LAPIC address (used in xAPIC mode only).
void choose_mode(uint64_t mmio);
/// Lab 2: enable the calling CPU's LAPIC and put it in a known state: enabled in
/// IA32_APIC_BASE, in x2APIC mode when x2apic() (SDM 11.12.5: only from enabled xAPIC mode);
/// task priority 0 (every interrupt accepted); the timer, LINT0, LINT1 and error LVT entries
/// masked (whatever the firmware left there raises nothing); software-enabled in the
/// spurious-interrupt vector register with VEC_SPURIOUS; the error status cleared; an interrupt
/// the firmware left in service acknowledged.
void init_cpu();
/// True when running in x2APIC mode.
bool x2apic();
/// Given: after init_cpu() on the BSP, true if the LAPIC is enabled in the mode choose_mode()
/// chose. If x2APIC was chosen and init_cpu() left it out of x2APIC mode, every x2APIC MSR
/// access would fault (#GP): fall back to xAPIC accesses (MMIO), where a LAPIC that is not
/// enabled delivers nothing, so the boot goes on and the tests can say what is wrong.
bool mode_in_effect();
/// The calling CPU's APIC id.
uint32_t id();
/// Read or write a register by its xAPIC offset.
uint32_t read(Reg r);
/// Write a register by its xAPIC offset.
void write(Reg r, uint32_t v);
/// Lab 2: end of interrupt for the highest-priority interrupt in service (SDM 11.8.5); until
/// then the LAPIC delivers nothing of its priority class or lower.
void eoi();
/// Send an IPI: `icr_low` holds vector, delivery mode and level bits; `dest` the APIC id.
/// Waits (bounded) for xAPIC delivery status to clear.
void send_ipi(uint32_t dest, uint32_t icr_low);
/// True if the CPU supports the TSC-deadline timer mode (CPUID.1:ECX[24]).
bool has_tsc_deadline();
/// Lab 2: arm the timer one-shot: one interrupt on `vector` after `ticks` ticks of the timer
/// at divide-by-1 (SDM 11.5.4), replacing whatever was armed.
void timer_oneshot(uint8_t vector, uint32_t ticks);
/// Lab 2: arm the TSC-deadline timer: one interrupt on `vector` once the TSC reaches
/// `deadline` (at once if it has), replacing whatever was armed (SDM 11.5.4.1, ordering
/// included). Needs has_tsc_deadline().
void timer_deadline(uint8_t vector, uint64_t deadline);
/// Lab 2: disarm the timer, in whichever mode it was armed: no timer interrupt is raised after
/// this returns.
void timer_stop();

/// The local APIC's configuration, saved while a guest programs it directly.
struct LentConfig {
    uint32_t svr;         ///< spurious-interrupt vector register
    uint32_t tpr;         ///< task priority
    uint32_t divide;      ///< timer divide configuration
    uint32_t lvt_timer;   ///< LVT timer
    uint32_t lvt_thermal; ///< LVT thermal sensor
    uint32_t lvt_perf;    ///< LVT performance counters
    uint32_t lvt_lint0;   ///< LVT LINT0
    uint32_t lvt_lint1;   ///< LVT LINT1
    uint32_t lvt_error;   ///< LVT error
};
/// Lend the calling CPU's local APIC to a guest that programs it directly (the Linux slave on
/// its own CPU: x2APIC only): save its configuration, stop its timer, and from now on count
/// vectors that arrive in root mode instead of treating them as the master's (percpu.h
/// lapic_lent). Interrupts off.
LentConfig lend_to_guest();
/// Take the local APIC back from the guest: no timer, every LVT masked, every interrupt the guest
/// left in service acknowledged (SDM Vol 3A 11.8.5: each EOI clears the highest ISR bit), then
/// @p saved restored. Interrupts off; vectors the guest left pending arrive once they are on.
void take_back_from_guest(const LentConfig& saved);

} // namespace kern::lapic
