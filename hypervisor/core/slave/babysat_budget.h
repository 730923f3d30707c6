// A caller's run of the babysat slave, on the caller's budget (lab 9, step 3): when a run must
// end before the next entry, what the slave's clock says, and what the caller does once the run
// has ended. Pure: host tests drive it; slave_babysat.cc (the run) and libos/master/delegate.cc
// (the caller) use it.
//
// The budget is the caller's: its VCPU's budget left when the run starts (the scheduler's
// figure). The run ends before it is spent (the VMX-preemption timer, armed with what is left at
// each entry), when a master interrupt comes, or when the master's own timer is due, so the
// master's real-time threads on that CPU keep their deadlines whatever Linux does.
#pragma once

#include "hypervisor/core/slave/babysat_policy.h"

#include <stdint.h>

namespace hv {

/// One caller's run of the parked slave.
/// Lab 9, step 3 (hypervisor/core/slave/babysat_budget.cc): before_entry() and after_babysit().
class BabysatRun {
  public:
    /// A run that starts at @p start with @p budget cycles of the caller's, while the master's
    /// timer on this CPU is due at @p timer_due (0: none). The slave was parked at @p parked_at
    /// with the TSC offset @p tsc_offset (guest TSC - host TSC), which the run updates.
    BabysatRun(uint64_t start, uint64_t budget, uint64_t timer_due, uint64_t parked_at,
               int64_t& tsc_offset)
        : m_start(start), m_budget(budget), m_timer_due(timer_due), m_parked_at(parked_at),
          m_offset(tsc_offset) {}

    /// Before an entry at host TSC @p now. At the first entry the slave's clock skips the time
    /// it spent parked: the offset decreases by now - parked_at, so that for the slave no time
    /// passed (its timers, its scheduler's clock). Then: false, with @p why, if the run must end
    /// first: the master's timer is due by now (preempted: its interrupt waits for the run's
    /// end), or the budget is used up (budget). Else true, with @p clock (now, the offset, the
    /// master's timer) and @p budget_left for babysat_plan_entry().
    bool before_entry(uint64_t now, BabysatClock& clock, uint64_t& budget_left, BabysitResult& why);

    /// Whether the first entry happened (the offset has been adjusted).
    bool started() const { return m_started; }

  private:
    uint64_t m_start, m_budget, m_timer_due, m_parked_at;
    int64_t& m_offset;
    bool m_started = false;
};

/// What a delegating caller does after its run of the slave ended with @p r.
struct CallerNext {
    /// What the caller does.
    enum Kind : uint8_t {
        look,  ///< look at the response ring now (a doorbell; or a master interrupt, taken now)
        yield, ///< its budget is spent: give up the CPU until the replenishment
        sleep, ///< the slave idles: sleep until `until`
        fail,  ///< the slave cannot run any more: the call fails (-ENOTCONN)
    } kind;    ///< what it does
    uint64_t until = 0; ///< for sleep: the host TSC to sleep until
};

/// After a run
/// that ended with @p r at @p now, for a call whose deadline is @p deadline. An idle slave
/// sleeps the caller until its next timer (r.idle_until), or for @p poll cycles if it has none,
/// and never past the call's deadline.
CallerNext after_babysit(const BabysitResult& r, uint64_t now, uint64_t deadline, uint64_t poll);

} // namespace hv
