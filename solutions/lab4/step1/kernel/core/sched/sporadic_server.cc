// Lab 4 solution: the sporadic server's budget accounting (core/sched/sporadic_server.h).
#include "core/sched/sporadic_server.h"

namespace kern {

namespace {

// Queue {time, amount} at the end of q[0 .. count), keeping it sorted by never queueing
// earlier than the last entry, and merging into the last entry when the queue is full.
// Both adjustments only delay budget, which keeps the sliding-window property.
void queue_replenishment(Replenishment* q, size_t& count, uint64_t time, uint64_t amount) {
    if (amount == 0) return;
    if (count > 0 && time < q[count - 1].time) time = q[count - 1].time;
    if (count == MAX_REPLENISHMENTS) {
        q[count - 1].time = time;
        q[count - 1].amount += amount;
        return;
    }
    q[count++] = Replenishment{time, amount};
}

// Saturating a + b: a replenishment that would lie past the end of time never comes.
uint64_t add_sat(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

} // namespace

void SporadicServer::start(uint64_t now) {
    replenish(now);
    m_activation = now;
}

void SporadicServer::consume(uint64_t now, uint64_t used) {
    uint64_t taken = used < m_budget ? used : m_budget;
    m_budget -= taken;
    m_debt += used - taken;
    queue_replenishment(m_queue, m_count, add_sat(m_activation, m_params.period), taken);
    m_activation = now;
}

void SporadicServer::replenish(uint64_t now) {
    while (m_count > 0 && m_queue[0].time <= now) {
        Replenishment r = m_queue[0];
        for (size_t k = 1; k < m_count; ++k)
            m_queue[k - 1] = m_queue[k];
        --m_count;

        uint64_t paid = r.amount < m_debt ? r.amount : m_debt;
        m_debt -= paid;
        m_budget += r.amount - paid;
        // The paid cycles were used (by the overrun) as of r.time: they return a period later.
        queue_replenishment(m_queue, m_count, add_sat(r.time, m_params.period), paid);
    }
}

} // namespace kern
