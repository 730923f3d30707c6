// SporadicServer: the budget accounting of one Main VCPU (lab 4).
//
// A sporadic server (Sprunt, Sha, Lehoczky, "Aperiodic Task Scheduling for Hard-Real-Time
// Systems", Real-Time Systems 1989) has a budget C and a period T. Whatever its threads do, it
// never runs for more than C cycles in any window of T cycles (the sliding-window property),
// so for admission it counts as a periodic task (C, T). Unlike a deferrable server it does
// not refill its whole budget every T: each chunk of budget it uses comes back one period
// after the chunk started being used. We follow the POSIX SCHED_SPORADIC rules with the
// corrections of Stanovich, Baker, Wang, Gonzalez Harbour ("Defects of the POSIX Sporadic
// Server and How to Correct Them", RTAS 2010), as Quest does:
//
//  - Activation time: a chunk's replenishment is due at T after the server *started running*
//    with budget (start()), not after it became ready; charging a running server (consume())
//    closes the chunk and the next one starts then.
//  - Replenishment amount: exactly what the chunk took from the budget, due at activation + T.
//  - Full queue: at most MAX_REPLENISHMENTS replenishments are pending. When a new one does
//    not fit, it is merged into the latest pending one, which takes the new (later) time.
//    Budget may come back later than it could, never earlier, so the window property holds.
//  - Overrun: if the server ran past its budget (a non-preemptible section, a late timer),
//    the excess is a debt instead of being forgotten. Replenishments pay the debt before
//    adding to the budget, and what they paid comes back one period after the
//    replenishment was due, so over a few periods the server gets no more than C per T.
//
// Conservation: budget() + (sum of pending amounts) == C at all times; debt() is extra.
// Replenishment times are kept sorted by only ever delaying a new one to the latest
// pending time (times are already in order, except for re-queued debt payments).
//
// Representation (the accessors below rely on it): m_queue[0 .. m_count) are the pending
// replenishments, sorted by time, earliest first. Times are TSC cycles and never decrease
// from call to call. Pure logic: the scheduler reads the TSC, arms timers for budget() and
// next_replenishment(), and calls these functions with interrupts off.
#pragma once

#include "core/sched/vcpu_params.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Most replenishments one server keeps pending (POSIX sched_ss_max_repl).
inline constexpr size_t MAX_REPLENISHMENTS = 16;
/// next_replenishment() when none is pending.
inline constexpr uint64_t NO_REPLENISHMENT = UINT64_MAX;

/// Budget that comes back to a server at a given time.
struct Replenishment {
    uint64_t time;   ///< TSC time at which `amount` is added back
    uint64_t amount; ///< cycles of budget
};

/// The budget accounting of one Main VCPU.
class SporadicServer {
  public:
    /// A server with its full budget and nothing pending. @p params must be valid
    /// (validate_params in core/sched/admission.h).
    explicit SporadicServer(const VcpuParams& params) : m_params(params), m_budget(params.budget) {}

    /// The VCPU starts running at @p now: apply every replenishment due by @p now
    /// (replenish()), then record @p now as the activation time of the next chunk. The caller
    /// runs the VCPU only if !exhausted() afterwards, for at most budget() cycles.
    void start(uint64_t now);

    /// Charge @p used cycles run since the last start() or consume(), at time @p now (when the
    /// VCPU stops, or on a tick while it keeps running). Takes @p used from the budget and
    /// schedules a replenishment of what it took at activation time + T (merging if the queue
    /// is full); the part of @p used beyond budget() is added to the debt. Makes @p now the
    /// activation time of the next chunk. Nothing is scheduled for used == 0.
    /// Precondition: used <= now - activation (one CPU runs one cycle per cycle).
    /// @param now current time
    /// @param used cycles consumed in this chunk
    void consume(uint64_t now, uint64_t used);

    /// Apply every pending replenishment whose time is <= @p now, earliest first: each pays
    /// the debt first (re-queueing what it paid at its own time + T), the rest is added to
    /// the budget. Never raises the budget above C.
    void replenish(uint64_t now);

    /// Cycles the VCPU may run now (after the last replenish()).
    uint64_t budget() const { return m_budget; }
    /// True if the VCPU must not run until its next replenishment.
    bool exhausted() const { return m_budget == 0; }
    /// Time of the earliest pending replenishment, or NO_REPLENISHMENT.
    uint64_t next_replenishment() const { return m_count > 0 ? m_queue[0].time : NO_REPLENISHMENT; }
    /// Cycles overrun and not yet paid back by replenishments.
    uint64_t debt() const { return m_debt; }
    /// Number of pending replenishments, at most MAX_REPLENISHMENTS.
    size_t pending() const { return m_count; }
    /// Pending replenishment @p i (i < pending()), earliest first.
    const Replenishment& pending_at(size_t i) const { return m_queue[i]; }
    /// The reservation this server enforces.
    const VcpuParams& params() const { return m_params; }

  private:
    VcpuParams m_params;
    uint64_t m_budget;
    uint64_t m_debt = 0;
    uint64_t m_activation = 0;
    Replenishment m_queue[MAX_REPLENISHMENTS] = {};
    size_t m_count = 0;
};

} // namespace kern
