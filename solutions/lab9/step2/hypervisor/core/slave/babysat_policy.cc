// Lab 9, step 2: babysat mode's decisions (contracts in hypervisor/core/slave/babysat_policy.h).
#include "hypervisor/core/slave/babysat_policy.h"

#include "core/arch/apic_bits.h"
#include "hypervisor/core/exit_reason.h"

namespace hv {

bool babysat_park(const LapicSnapshot& real, bool preemption_timer, VirtualLapic& out) {
    using namespace kern::lapic;
    for (uint32_t word : real.isr)
        if (word) return false;
    if (!preemption_timer) return false;
    uint32_t mode = real.lvt_timer & (3u << 17);
    if (!(real.lvt_timer & LVT_MASKED) && mode != TSC_DEADLINE) return false;
    out.seed(real.svr, real.tpr, real.lvt_timer, real.tsc_deadline);
    for (uint32_t i = 0; i < 8; ++i)
        for (uint32_t irr = real.irr[i]; irr; irr &= irr - 1)
            out.deliver(uint8_t(i * 32 + __builtin_ctz(irr)));
    return true;
}

BabysatEntry babysat_plan_entry(VirtualLapic& vlapic, bool window_open, const BabysatClock& clock,
                                uint64_t budget_left, unsigned timer_rate_shift) {
    BabysatEntry e;
    vlapic.tick(clock.guest_now());
    if (int vector = vlapic.pending(); vector >= 0) {
        if (window_open) {
            e.inject = vector;
            vlapic.accept(uint8_t(vector));
        } else {
            e.window_exiting = true;
        }
    }
    uint64_t ticks = budget_left >> timer_rate_shift;
    if (clock.master_timer_due) {
        uint64_t to_due =
            clock.master_timer_due > clock.host_now ? clock.master_timer_due - clock.host_now : 0;
        uint64_t unit = uint64_t(1) << timer_rate_shift;
        uint64_t due_ticks = (to_due + unit - 1) / unit + 1;
        ticks = due_ticks < ticks ? due_ticks : ticks;
    }
    e.preemption_timer = uint32_t(ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : ticks);
    return e;
}

BabysatDecision babysat_classify_exit(const BabysatExit& e, const VirtualLapic& vlapic,
                                      const BabysatClock& clock) {
    switch (ExitReason(e.reason)) {
    case ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT:
        return {BabysatAction::leave, {BabysitEnd::preempted, 0}};
    case ExitReason::EXIT_REASON_PREEMPTION_TIMER:
        if (clock.master_timer_due && clock.host_now >= clock.master_timer_due)
            return {BabysatAction::leave, {BabysitEnd::preempted, 0}};
        return {BabysatAction::leave, {BabysitEnd::budget, 0}};
    case ExitReason::EXIT_REASON_INTERRUPT_WINDOW:
        return {BabysatAction::resume, {BabysitEnd::preempted, 0}};
    case ExitReason::EXIT_REASON_HLT: {
        if (!e.guest_if) break;
        uint64_t deadline = vlapic.deadline(), now = clock.guest_now();
        uint64_t until = deadline ? clock.host_now + (deadline > now ? deadline - now : 0) : 0;
        return {BabysatAction::leave, {BabysitEnd::idle, until}};
    }
    default:
        break;
    }
    return {BabysatAction::handle, {BabysitEnd::preempted, 0}};
}

BabysatStep babysat_after_handled(bool doorbell, const BabysatClock& clock) {
    if (doorbell) return {true, {BabysitEnd::responded, 0}};
    if (clock.master_timer_due && clock.host_now >= clock.master_timer_due)
        return {true, {BabysitEnd::preempted, 0}};
    return {};
}

} // namespace hv
