// Babysat mode's decisions, pure (lab 9, step 2): the slave runs only inside a caller's budget,
// in the caller's thread, on a CPU whose interrupts and local APIC stay the master's. Around
// each entry the run loop asks two questions (babysat_exits.h applies the answers to the VMCS):
//   - before the entry: which of the virtual LAPIC's interrupts to inject, or whether to wait
//     for the guest's interrupt window; and for how long the VMX-preemption timer lets it run;
//   - after an exit: does the caller's run go on, end (and why: BabysitEnd), or is it one of the
//     slave's ordinary exits, handled as in dedicated mode (slave_exits.h) and then decided.
//
// SDM Vol 3C: 26.5.1 (the VMX-preemption timer), 26.7.5 (interrupt-window exiting), 27.6
// (event injection), 28.2 (exit reasons: external interrupt 1, interrupt window 7, HLT 12,
// VMCALL 18, VMX-preemption timer expired 52).
#pragma once

#include "hypervisor/core/slave/vlapic.h"

#include <stdint.h>

namespace hv {

/// How a babysitting run ended.
enum class BabysitEnd : uint8_t {
    responded,   ///< the slave rang its doorbell: a response is ready
    preempted,   ///< a master interrupt: the caller's thread may be rescheduled now
    budget,      ///< the budget given is used up (VMX-preemption timer)
    idle,        ///< the slave idles until idle_until (its next timer), 0 = no timer
    stopped,     ///< the slave ended (halted, panicked, crashed) or was stopped
    unavailable, ///< not in babysat mode, or called from another CPU
};

/// Result of a babysitting run.
struct BabysitResult {
    BabysitEnd end;      ///< why it returned
    uint64_t idle_until; ///< for BabysitEnd::idle: the host TSC of the slave's next timer
};

/// The decision after one babysat exit.
struct BabysatStep {
    bool leave = false;                             ///< the caller's run ends here
    BabysitResult result{BabysitEnd::preempted, 0}; ///< why, if it ends
};

/// The slave's clock in babysat mode: it runs only while the slave runs. Its TSC is the host's
/// plus an offset (TSC offsetting, SDM Vol 3C 26.6.5) that grows more negative by every cycle
/// it spends parked.
struct BabysatClock {
    uint64_t host_now;  ///< the host TSC now
    int64_t tsc_offset; ///< guest TSC - host TSC
    /// The host TSC at which the master's scheduler timer is due on this CPU, 0: none. The run
    /// ends at the first exit after it, even if the timer's own external-interrupt exit has not
    /// come: in Bochs, while Linux wrote a console line to the UART (an exit at every byte,
    /// ~700 cycles apart) that exit came only after the line, up to ~60,000 cycles late.
    uint64_t master_timer_due = 0;
    /// The slave's TSC now.
    uint64_t guest_now() const { return host_now + uint64_t(tsc_offset); }
};

/// What to do to the VMCS before a babysat entry.
struct BabysatEntry {
    int inject = -1;               ///< the vector to inject as an external interrupt; -1: none
    bool window_exiting = false;   ///< request interrupt-window exiting (a vector waits)
    uint32_t preemption_timer = 0; ///< the VMX-preemption timer value
};

/// What an exit is, for babysat mode.
struct BabysatExit {
    uint16_t reason = 0;   ///< the basic exit reason (SDM Vol 3C Appendix C)
    bool guest_if = false; ///< the guest's RFLAGS.IF at the exit
};

/// What to do after an exit.
enum class BabysatAction : uint8_t {
    leave,  ///< the caller's run ends: BabysatDecision::result says why
    resume, ///< enter the slave again at once
    handle, ///< an ordinary slave exit: handle it as in dedicated mode, then babysat_after_handled
};

/// The decision on an exit.
struct BabysatDecision {
    BabysatAction action = BabysatAction::handle;   ///< what to do
    BabysitResult result{BabysitEnd::preempted, 0}; ///< for leave: why
};

/// What the real local APIC of the slave's CPU holds when the slave is asked to park (the kit
/// reads it at an exit, with the LAPIC still the slave's).
struct LapicSnapshot {
    uint32_t isr[8];       ///< in-service vectors (ISR0-7)
    uint32_t irr[8];       ///< pending vectors (IRR0-7)
    uint32_t svr;          ///< spurious-interrupt vector register
    uint32_t tpr;          ///< task priority
    uint32_t lvt_timer;    ///< the timer's LVT entry
    uint64_t tsc_deadline; ///< IA32_TSC_DEADLINE, 0 if disarmed
};

/// Lab 9, step 2 (hypervisor/core/slave/babysat_policy.cc).
/// @{

/// Whether the slave may give its CPU back to the master at this exit, and the virtual x2APIC
/// it goes on with. Not while a vector is in service in @p real (Linux is in an interrupt
/// handler, and its EOI would then end an interrupt of the master's); not if the CPU has no
/// VMX-preemption timer (@p preemption_timer false: nothing would bound a caller's run); not
/// while Linux's timer is armed, unmasked, in a mode other than TSC-deadline (the model runs
/// only that mode: its interrupts would never come). Otherwise @p out, a fresh VirtualLapic of
/// the right id, takes over SVR, TPR, the timer LVT and the deadline (VirtualLapic::seed), and
/// every vector pending in the real IRR stays pending in it; returns true. @p out is not
/// touched when the answer is false.
bool babysat_park(const LapicSnapshot& real, bool preemption_timer, VirtualLapic& out);

/// Before an entry at @p clock. The virtual LAPIC's timer first catches up with the slave's
/// own time (VirtualLapic::tick with the guest's TSC). Then its highest pending vector, if any,
/// is injected if @p window_open (the guest can take an interrupt: RFLAGS.IF set, no STI or
/// MOV SS blocking), and so accepted by the LAPIC (IRR to ISR); if the guest cannot take it,
/// interrupt-window exiting is asked for instead. The preemption timer counts TSC >> @p
/// timer_rate_shift (IA32_VMX_MISC bits 4:0): it gets @p budget_left in its units, rounded
/// down (never more than the budget), saturating at 32 bits; or, if the master's timer is due
/// sooner, the units to that instant rounded up plus one (never early: the timer's first
/// tick may come after a single cycle), so that the run ends on time even when that timer's
/// own exit comes late; a timer already due gives 1.
BabysatEntry babysat_plan_entry(VirtualLapic& vlapic, bool window_open, const BabysatClock& clock,
                                uint64_t budget_left, unsigned timer_rate_shift);

/// After an exit (@p e) at @p clock: an external interrupt is the master's (leave, preempted:
/// taken once the run ends and IF is back); the preemption timer ends the run as preempted if
/// the master's timer is due by now, else as budget; an interrupt window opened (resume: the
/// next entry injects); HLT with interrupts on is an idle slave (leave, idle, until the host
/// TSC at which its virtual timer's deadline comes, seen from the slave's clock; now if that
/// deadline has passed; 0 if none is armed); anything else, HLT with interrupts off included
/// (a poweroff or a panic), is handled as in dedicated mode.
BabysatDecision babysat_classify_exit(const BabysatExit& e, const VirtualLapic& vlapic,
                                      const BabysatClock& clock);

/// After an ordinary exit was handled and the slave goes on: the run ends if it rang its
/// doorbell (@p doorbell: responded) or, else, if the master's timer is due by now
/// (preempted: its interrupt is taken when the run ends); otherwise it goes on.
BabysatStep babysat_after_handled(bool doorbell, const BabysatClock& clock);

/// @}

} // namespace hv
