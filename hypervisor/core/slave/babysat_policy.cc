// Lab 9, step 2: babysat mode's decisions. Contracts in hypervisor/core/slave/babysat_policy.h;
// the handout (labs/lab9-babysat/README.md) walks through them.
#include "hypervisor/core/slave/babysat_policy.h"

#include "hypervisor/core/exit_reason.h"

namespace hv {

bool babysat_park(const LapicSnapshot& real, bool preemption_timer, VirtualLapic& out) {
    (void)real;
    (void)preemption_timer;
    (void)out;
    return false; // TODO(lab 9): when the slave may park, and its virtual LAPIC
}

BabysatEntry babysat_plan_entry(VirtualLapic& vlapic, bool window_open, const BabysatClock& clock,
                                uint64_t budget_left, unsigned timer_rate_shift) {
    (void)vlapic;
    (void)window_open;
    (void)clock;
    (void)budget_left;
    (void)timer_rate_shift;
    return {}; // TODO(lab 9): the interrupt to inject, or the window; the preemption timer
}

BabysatDecision babysat_classify_exit(const BabysatExit& e, const VirtualLapic& vlapic,
                                      const BabysatClock& clock) {
    (void)e;
    (void)vlapic;
    (void)clock;
    // TODO(lab 9): which exits end the caller's run, and why. Until then every exit ends it as
    // if the slave had stopped.
    return {BabysatAction::leave, {BabysitEnd::stopped, 0}};
}

BabysatStep babysat_after_handled(bool doorbell, const BabysatClock& clock) {
    (void)doorbell;
    (void)clock;
    return {}; // TODO(lab 9): a doorbell, or the master's timer, ends the run
}

} // namespace hv
