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

/// Scheduler hooks (sched/scheduler.cc); all run on `cpu` itself with interrupts off.
/// @{
void vcpu_enqueue(Vcpu& v, QueueNode* n);              ///< a bound thread became ready
QueueNode* vcpu_pick(unsigned cpu, uint64_t now);      ///< next VCPU thread to run, or nullptr
bool vcpu_has_ready(unsigned cpu, uint64_t now);       ///< some VCPU thread could run now
void vcpu_start(Vcpu& v, uint64_t now);                ///< v's thread starts running
void vcpu_charge(Vcpu& v, uint64_t from, uint64_t to); ///< v's thread ran from..to
void vcpu_replenish(unsigned cpu, uint64_t now);       ///< apply due replenishments
uint64_t vcpu_next_event(unsigned cpu, Vcpu* running,
                         uint64_t now); ///< budget end or replenishment
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
