// The VCPU record and the per-CPU priority list, shared by the kit's bookkeeping (vcpu.cc)
// and lab 4's scheduling policy (vcpu_policy.cc). Not for other callers: they use vcpu.h.
#pragma once

#include "core/sched/sporadic_server.h"
#include "core/thread/thread_queue.h"
#include "sched/vcpu.h"

namespace kern {

/// One Main VCPU.
struct Vcpu {
    /// A VCPU of `c` with the reservation `p` (already admitted).
    Vcpu(unsigned c, const VcpuParams& p) : cpu(c), server(p) {}

    unsigned cpu;               ///< the CPU it belongs to
    char name[24] = {};         ///< for reports
    SporadicServer server;      ///< the budget: C per T over any window (lab 4)
    FifoQueue ready;            ///< its ready threads, first in first out
    Vcpu* next = nullptr;       ///< next lower-priority VCPU on the same CPU
    unsigned index = 0;         ///< creation order: the rate-monotonic tie-break
    bool running = false;       ///< one of its threads is on the CPU (start to charge)
    volatile bool dead = false; ///< vcpu_destroy() asked; vcpu_reap() unlinks it when idle
    unsigned threads = 0;       ///< threads bound to it and not yet off the CPU for good
    VcpuStats stats{};          ///< what vcpu_stats() reports
};

/// The highest-priority VCPU of `cpu`: the list runs through Vcpu::next in rate-monotonic
/// order (shortest period first, the older VCPU first among equal periods), or nullptr. Only
/// `cpu` itself walks it, with interrupts off; VCPUs join it at any time (one pointer store).
Vcpu* vcpu_list(unsigned cpu);

/// Unlink `cpu`'s VCPUs that vcpu_destroy() retired and that no thread is bound to any more
/// (a bound thread that sleeps is in no queue, yet must find its VCPU when it wakes). The
/// scheduler calls it on `cpu`, interrupts off, before vcpu_replenish().
void vcpu_reap(unsigned cpu);

/// A thread is bound to `v` (thread_create) / is off the CPU for good (the switch after its
/// thread_exit): vcpu_reap() keeps `v` while any is bound.
void vcpu_bind(Vcpu& v);
void vcpu_unbind(Vcpu& v);

} // namespace kern
