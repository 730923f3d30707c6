// Virtual CPUs: the real-time part of the scheduler (Quest's VCPUs; lab 4).
//
// A Main VCPU is a sporadic server with budget C and period T, bound to one physical CPU.
// Threads bound to it run only while it has budget; VCPUs of a CPU are scheduled
// rate-monotonically (shorter period first) and ahead of background threads. Admission control
// refuses a VCPU that would make the CPU's set unschedulable.
#pragma once

#include "core/result.h"
#include "core/thread/thread_queue.h"

#include <stdint.h>

namespace kern {

struct Vcpu;

/// Create a Main VCPU with budget `budget` and period `period` (TSC cycles) on `cpu`, after
/// admission control for that CPU's VCPUs. The error says why a VCPU was refused.
Result<Vcpu*> vcpu_create(unsigned cpu, uint64_t budget, uint64_t period, const char* name);

/// Retire `v` once no thread is bound to it any more; its CPU frees it. Its budget leaves the
/// CPU's admission set at once.
void vcpu_destroy(Vcpu& v);

/// Lab 4: the scheduling policy of a CPU's VCPUs (sched/vcpu_policy.cc). The scheduler
/// (sched/scheduler.cc) calls these on `cpu` itself with interrupts off; a VCPU's threads run
/// only through them. The VCPUs of a CPU are in vcpu_list() (sched/vcpu_internal.h), highest
/// priority first; each has a SporadicServer (its budget) and a FIFO of ready threads.
/// @{
/// A thread bound to `v` became ready: it waits behind `v`'s other ready threads.
void vcpu_enqueue(Vcpu& v, QueueNode* n);
/// The thread to run next for `cpu`'s VCPUs, taken off its VCPU's queue: the first ready
/// thread of the highest-priority VCPU that has a ready thread and budget left; nullptr if no
/// VCPU has both (the scheduler then runs a background thread or idles).
QueueNode* vcpu_pick(unsigned cpu, uint64_t now);
/// True exactly when vcpu_pick() would return a thread now.
bool vcpu_has_ready(unsigned cpu, uint64_t now);
/// A thread of `v` starts running at `now`: `v`'s server activates (SporadicServer::start),
/// and `v` counts as running until vcpu_charge().
void vcpu_start(Vcpu& v, uint64_t now);
/// A thread of `v` ran from `from` to `to` and stops (or is charged on a timer): the server
/// consumes what it ran, VcpuStats::consumed grows by as much, and VcpuStats::overruns counts
/// a run that went beyond the budget while another of `v`'s threads was ready. `v` no longer
/// counts as running.
void vcpu_charge(Vcpu& v, uint64_t from, uint64_t to);
/// Give every VCPU of `cpu` the replenishments due by `now`.
void vcpu_replenish(unsigned cpu, uint64_t now);
/// The next instant the scheduler must look again for the VCPUs' sake: when `running` (the
/// VCPU whose thread is about to run, or nullptr) exhausts its budget, and, for every other
/// VCPU with a ready thread but no budget, its next replenishment; UINT64_MAX if none.
uint64_t vcpu_next_event(unsigned cpu, Vcpu* running, uint64_t now);
/// @}

/// Per-VCPU statistics.
struct VcpuStats {
    uint64_t budget;          ///< parameter C (cycles)
    uint64_t period;          ///< parameter T (cycles)
    uint64_t consumed;        ///< total cycles charged
    uint64_t overruns;        ///< times the budget ran out while a thread still wanted to run
    uint64_t deadline_misses; ///< reported by threads via vcpu_report_miss()
    uint64_t
        delegated_wait; ///< cycles its threads waited for delegated calls (vcpu_account_delegated)
    uint64_t delegated_calls;   ///< delegated calls its threads made
    uint64_t delegated_charged; ///< of delegated_wait, cycles charged to its budget (dedicated)
};
/// Statistics of `v`.
VcpuStats vcpu_stats(const Vcpu& v);
/// Cycles `v` may still run as of its last start or charge (its sporadic server's budget).
uint64_t vcpu_budget(const Vcpu& v);
/// A thread bound to `v` waited `cycles` for a delegated call served elsewhere (by the Linux
/// slave on its own CPU): accounted per VCPU, so the cost of delegation shows next to the
/// VCPU's own consumption.
void vcpu_account_delegated(Vcpu& v, uint64_t cycles);
/// A thread bound to `v` waited `cycles`, ending at `now`, for a delegated call in dedicated
/// mode: charged to its budget as if it had run them (sporadic server: a chunk activated at
/// now - cycles). Scheduler context: `v`'s CPU, interrupts off, `v` not running
/// (current_charge_wait() in sched/thread.h is the thread's interface).
void vcpu_charge_wait(Vcpu& v, uint64_t now, uint64_t cycles);
/// A thread bound to `v` missed a deadline (counted per VCPU).
void vcpu_report_miss(Vcpu& v);
/// The CPU a VCPU belongs to.
unsigned vcpu_cpu(const Vcpu& v);

} // namespace kern
