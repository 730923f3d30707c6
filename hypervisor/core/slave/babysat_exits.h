// Babysat mode's decisions applied to the VMCS (docs/delegation.md). The decisions themselves
// are babysat_policy.h's (lab 9); here, over the VmcsAccess concept and replayed on FakeVmcs in
// host tests (tests/babysat_exits_test.cc), is what they read and write:
//   - before the entry: the interruption information, interrupt-window exiting, the
//     VMX-preemption timer value;
//   - after the exit: the exit counts, HLT skipped when the slave idles, and the slave's
//     ordinary exits handled as in dedicated mode (slave_exits.h).
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/slave/babysat_policy.h"
#include "hypervisor/core/slave/slave_exits.h"
#include "hypervisor/core/vmx_bits.h"

#include <stdint.h>

namespace hv {

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

/// Before a babysat entry: the UART's line, then babysat_plan_entry()'s answer written to the
/// VMCS (an injected interrupt also ends HLT: SDM Vol 3C 27.6).
template <VmcsAccess A>
void babysat_prepare_entry(Vmcs<A>& v, SlaveExitContext& c, const BabysatClock& clock,
                           uint64_t budget_left, unsigned timer_rate_shift) {
    using namespace vmx_bits;
    slave_exits::uart_line_changed(c);
    BabysatEntry e = babysat_plan_entry(*c.vlapic, babysat::interrupt_window_open(v), clock,
                                        budget_left, timer_rate_shift);
    uint32_t proc = uint32_t(v.read(CPU_BASED_VM_EXEC_CONTROL)) & ~PROC_INTERRUPT_WINDOW_EXITING;
    if (e.inject >= 0) {
        v.write(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
                                              (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT) |
                                              uint32_t(e.inject & 0xFF));
        v.write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    }
    if (e.window_exiting) proc |= PROC_INTERRUPT_WINDOW_EXITING;
    v.write(CPU_BASED_VM_EXEC_CONTROL, proc);
    v.write(VMX_PREEMPTION_TIMER_VALUE, e.preemption_timer);
}

/// After a babysat exit: babysat_classify_exit()'s decision; the slave's ordinary exits are
/// handled as in dedicated mode (handle_slave_exit), then babysat_after_handled() decides.
template <VmcsAccess A>
BabysatStep babysat_exit(Vmcs<A>& v, GuestRegs& r, SlaveExitContext& c, const BabysatClock& clock) {
    using namespace vmx_bits;
    using namespace kern::x86;
    ExitReasonInfo info = ExitReasonInfo::decode(v.read(VM_EXIT_REASON));
    GuestOutcome& out = c.guest.out;
    bool doorbell = false;
    if (!info.vm_entry_failure) {
        BabysatExit e{info.basic, (v.read(GUEST_RFLAGS) & RFLAGS_IF) != 0};
        BabysatDecision d = babysat_classify_exit(e, *c.vlapic, clock);
        if (d.action != BabysatAction::handle) {
            ++out.exits[info.basic];
            ++out.total_exits;
        }
        if (d.action == BabysatAction::resume) return {};
        if (d.action == BabysatAction::leave) {
            if (ExitReason(info.basic) == ExitReason::EXIT_REASON_HLT) {
                // Idle until its next timer: the caller sleeps meanwhile instead of spinning
                // in the guest. The HLT was in an STI shadow (sti; hlt): that ends with it.
                ++c.stats.idle_hlts;
                exits::skip_instruction(v);
                v.write(GUEST_INTERRUPTIBILITY_INFO, uint32_t(v.read(GUEST_INTERRUPTIBILITY_INFO)) &
                                                         ~(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS));
            }
            return {true, d.result};
        }
        doorbell = ExitReason(info.basic) == ExitReason::EXIT_REASON_VMCALL && r.rax == HC_DOORBELL;
    }
    if (handle_slave_exit(v, r, c)) return {true, {BabysitEnd::stopped, 0}};
    return babysat_after_handled(doorbell, clock);
}

} // namespace hv
