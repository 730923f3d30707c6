// Lab 9, step 3: a caller's run of the babysat slave, on the caller's budget (contracts in
// hypervisor/core/slave/babysat_budget.h).
#include "hypervisor/core/slave/babysat_budget.h"

namespace hv {

bool BabysatRun::before_entry(uint64_t now, BabysatClock& clock, uint64_t& budget_left,
                              BabysitResult& why) {
    if (!m_started) { // the parked time never happened, for the slave
        m_started = true;
        m_offset -= int64_t(now - m_parked_at);
    }
    if (m_timer_due && now >= m_timer_due) {
        why = {BabysitEnd::preempted, 0};
        return false;
    }
    uint64_t used = now - m_start;
    if (used >= m_budget) {
        why = {BabysitEnd::budget, 0};
        return false;
    }
    clock = BabysatClock{now, m_offset, m_timer_due};
    budget_left = m_budget - used;
    return true;
}

CallerNext after_babysit(const BabysitResult& r, uint64_t now, uint64_t deadline, uint64_t poll) {
    switch (r.end) {
    case BabysitEnd::responded:
    case BabysitEnd::preempted:
        return {CallerNext::look};
    case BabysitEnd::budget:
        return {CallerNext::yield};
    case BabysitEnd::idle: {
        uint64_t until = r.idle_until ? r.idle_until : now + poll;
        return {CallerNext::sleep, until < deadline ? until : deadline};
    }
    default:
        return {CallerNext::fail};
    }
}

} // namespace hv
