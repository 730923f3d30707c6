// Lab 4: the sporadic server's budget accounting (contracts and the rules of Stanovich et al.
// in core/sched/sporadic_server.h).
//
// What to write:
//  - start: replenish(now), then remember now as the activation time (m_activation).
//  - consume: take `used` from m_budget. What came out of the budget goes back as a
//    replenishment at m_activation + T; what did not (an overrun) is added to m_debt. Then
//    m_activation = now, because if the VCPU keeps running, its next chunk starts now.
//  - replenish: pop m_queue[0] while its time <= now. Each amount first pays m_debt; the
//    paid part is queued again at (that replenishment's time + T); the rest goes to m_budget.
//  - a helper to queue a replenishment, used by both: append at m_queue[m_count], but
//    never with a time earlier than the current last entry (keep the queue sorted by only
//    delaying), and if m_count == MAX_REPLENISHMENTS, merge into the last entry instead:
//    add the amount and move the entry to the new time. Moving budget later is always safe
//    for the sliding window; moving it earlier is exactly the POSIX defect.
//
// Check yourself: budget() plus the pending amounts must always equal C, and in any window
// of T cycles the server must not run more than C cycles (the host tests simulate this).
#include "core/sched/sporadic_server.h"

namespace kern {

void SporadicServer::start(uint64_t now) {
    // TODO(lab4)
    (void)now;
}

void SporadicServer::consume(uint64_t now, uint64_t used) {
    // TODO(lab4)
    (void)now;
    (void)used;
}

void SporadicServer::replenish(uint64_t now) {
    // TODO(lab4)
    (void)now;
}

} // namespace kern
