// Babysat mode's decisions (docs/delegation.md): the slave runs only inside a caller's budget,
// in the caller's thread, on a CPU whose interrupts and local APIC stay the master's. Around
// each entry the run loop asks two pure questions, answered here over the VmcsAccess concept
// and replayed on FakeVmcs in host tests (tests/babysat_exits_test.cc):
//   - before the entry: which of the virtual LAPIC's interrupts to inject, or whether to wait
//     for the guest's interrupt window, and how much budget the preemption timer allows;
//   - after the exit: does the caller's run go on, or end, and why (BabysitEnd).
// Everything else is the slave's ordinary exit handling (slave_exits.h).
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/slave/slave_exits.h"
#include "hypervisor/core/vmx_bits.h"

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

namespace babysat {

/// The guest can take an external interrupt now: RFLAGS.IF set, no blocking by STI or MOV SS
/// (SDM Vol 3C 26.7.5: the interrupt window).
template <VmcsAccess A> bool interrupt_window_open(Vmcs<A>& v) {
    using namespace vmx_bits;
    using namespace kern::x86;
    return (v.read(GUEST_RFLAGS) & RFLAGS_IF) &&
           !(v.read(GUEST_INTERRUPTIBILITY_INFO) & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS));
}

} // namespace babysat

/// Before a babysat entry: the virtual LAPIC's timer fires in the slave's time, a wake-up posted
/// while it was parked raises the UART's interrupt, and the highest pending vector is injected
/// (SDM Vol 3C 27.6 event injection; an injected interrupt also ends HLT) if the guest can take
/// it, else interrupt-window exiting is requested (26.7.5). The VMX-preemption timer is armed
/// with what remains of the budget, in its units: TSC >> @p timer_rate_shift (IA32_VMX_MISC
/// bits 4:0, SDM Vol 3C 26.5.1), saturating at 32 bits; or, if the master's scheduler timer is
/// due sooner, for just past that instant: the run then ends on time even when the timer's own
/// external-interrupt exit comes late (in Bochs it has come a whole console line late). The
/// timer counts down each time TSC bit X changes, so the first tick may come after one cycle:
/// one tick more than the rounded-up distance is never early.
template <VmcsAccess A>
void babysat_prepare_entry(Vmcs<A>& v, SlaveExitContext& c, const BabysatClock& clock,
                           uint64_t budget_left, unsigned timer_rate_shift) {
    using namespace vmx_bits;
    using namespace kern::x86;
    c.vlapic->tick(clock.guest_now());
    slave_exits::uart_line_changed(c);
    uint32_t proc = uint32_t(v.read(CPU_BASED_VM_EXEC_CONTROL)) & ~PROC_INTERRUPT_WINDOW_EXITING;
    if (int vector = c.vlapic->pending(); vector >= 0) {
        if (babysat::interrupt_window_open(v)) {
            v.write(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
                                                  (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT) |
                                                  uint32_t(vector));
            c.vlapic->accept(uint8_t(vector));
            v.write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
        } else {
            proc |= PROC_INTERRUPT_WINDOW_EXITING;
        }
    }
    v.write(CPU_BASED_VM_EXEC_CONTROL, proc);
    uint64_t ticks = budget_left >> timer_rate_shift;
    if (clock.master_timer_due) {
        uint64_t to_due =
            clock.master_timer_due > clock.host_now ? clock.master_timer_due - clock.host_now : 0;
        uint64_t unit = uint64_t(1) << timer_rate_shift;
        uint64_t due_ticks = (to_due + unit - 1) / unit + 1;
        ticks = due_ticks < ticks ? due_ticks : ticks;
    }
    v.write(VMX_PREEMPTION_TIMER_VALUE, uint32_t(ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : ticks));
}

/// After a babysat exit: the exits that end the caller's run (the master's interrupt, the
/// budget, an idle slave, a doorbell, the slave's end) or only resume it (the interrupt
/// window opened); everything else is handled as in dedicated mode (handle_slave_exit).
template <VmcsAccess A>
BabysatStep babysat_exit(Vmcs<A>& v, GuestRegs& r, SlaveExitContext& c, const BabysatClock& clock) {
    using namespace vmx_bits;
    using namespace kern::x86;
    ExitReasonInfo info = ExitReasonInfo::decode(v.read(VM_EXIT_REASON));
    GuestOutcome& out = c.guest.out;
    auto count = [&] {
        ++out.exits[info.basic];
        ++out.total_exits;
    };
    bool doorbell = false;
    if (!info.vm_entry_failure) {
        switch (ExitReason(info.basic)) {
        case ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT: // the master's: taken once IF is back
            count();
            return {true, {BabysitEnd::preempted, 0}};
        case ExitReason::EXIT_REASON_PREEMPTION_TIMER: // armed for the budget or the master
            count();
            if (clock.master_timer_due && clock.host_now >= clock.master_timer_due)
                return {true, {BabysitEnd::preempted, 0}};
            return {true, {BabysitEnd::budget, 0}};
        case ExitReason::EXIT_REASON_INTERRUPT_WINDOW: // it can take its interrupt now
            count();
            return {};
        case ExitReason::EXIT_REASON_HLT: {
            if (!(v.read(GUEST_RFLAGS) & RFLAGS_IF)) break; // poweroff, panic: handled below
            // Idle until its next timer: the caller sleeps meanwhile instead of spinning in
            // the guest. Its clock stands still while parked, so the timer is due after that
            // much more host time. The HLT was in an STI shadow (sti; hlt): that ends with it.
            count();
            ++c.stats.idle_hlts;
            exits::skip_instruction(v);
            v.write(GUEST_INTERRUPTIBILITY_INFO, uint32_t(v.read(GUEST_INTERRUPTIBILITY_INFO)) &
                                                     ~(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS));
            uint64_t deadline = c.vlapic->deadline(), now = clock.guest_now();
            uint64_t until = deadline ? clock.host_now + (deadline > now ? deadline - now : 0) : 0;
            return {true, {BabysitEnd::idle, until}};
        }
        case ExitReason::EXIT_REASON_VMCALL:
            doorbell = r.rax == HC_DOORBELL;
            break;
        default:
            break;
        }
    }
    if (handle_slave_exit(v, r, c)) return {true, {BabysitEnd::stopped, 0}};
    if (doorbell) return {true, {BabysitEnd::responded, 0}};
    if (clock.master_timer_due && clock.host_now >= clock.master_timer_due)
        return {true, {BabysitEnd::preempted, 0}}; // its interrupt is taken when the run ends
    return {};
}

} // namespace hv
