// Kernel threads and the per-CPU scheduler.
//
// Every CPU runs threads from its own run queue; a thread stays on the CPU it was created on.
// The policy (sched/scheduler.cc): real-time threads run on budgeted VCPUs (lab 4) ahead of
// background threads, which share the CPU round-robin with a time slice; the idle thread runs
// when nothing else can. Time is the TSC; the timer is one-shot ("tickless"): it is programmed
// for the next event only (a sleeper's wake-up, the end of a slice or of a budget).
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "core/result.h"
#include "core/thread/thread_queue.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

struct Vcpu;
struct Process;

/// A kernel thread.
struct Thread {
    /// Lifecycle states.
    enum class State : uint8_t { ready, running, sleeping, blocked, dead };

    uint64_t saved_rsp = 0;     ///< kernel RSP while switched out (context_switch)
    QueueNode node;             ///< link on a run queue or the sleep queue
    State state = State::ready; ///< current state
    unsigned cpu = 0;           ///< the CPU whose queues hold it
    uint32_t id = 0;            ///< unique id, 0 for the boot thread
    char name[24] = {};         ///< for messages
    Vcpu* vcpu = nullptr;       ///< the VCPU it is bound to; nullptr: background thread
    Process* process = nullptr; ///< user process it belongs to; nullptr: kernel-only thread
    bool detached = false;      ///< nobody joins it: the scheduler frees it once it has exited
    uint8_t* stack = nullptr;   ///< kernel stack (nullptr for boot/idle threads on static stacks)
    size_t stack_size = 0;      ///< bytes at stack
    void (*entry)(void*) = nullptr; ///< thread body
    void* arg = nullptr;            ///< its argument
    uint64_t run_cycles = 0;        ///< TSC cycles spent running
    uint64_t switches_in = 0;       ///< times switched to
    volatile bool exited = false;   ///< set when the thread has finished (join)
};

/// Options for thread_create.
struct ThreadOptions {
    const char* name = "thread"; ///< shown in messages
    unsigned cpu = 0;            ///< CPU index to run on
    Vcpu* vcpu = nullptr;        ///< VCPU to bind to (nullptr: background)
    size_t stack_size = 16384;   ///< kernel stack bytes
    Process* process = nullptr;  ///< user process (its address space is loaded when it runs)
    bool detached = false;       ///< freed automatically when it exits (no thread_join)
};

/// Make the calling context the first thread of this CPU and create its idle thread. Called
/// once per CPU: by kernel_main on the BSP (the boot thread), by each AP at the end of start-up.
void sched_init_cpu();
/// True once sched_init_cpu() ran on the calling CPU.
bool sched_ready();
/// The running thread on this CPU.
Thread* current_thread();
/// Create a ready thread running entry(arg) on `opts.cpu`.
Result<Thread*> thread_create(void (*entry)(void*), void* arg, const ThreadOptions& opts);
/// End the calling thread. Its stack is freed by thread_join or, if nobody joins, leaked.
[[noreturn]] void thread_exit();
/// Wait until `t` has exited, then free it.
void thread_join(Thread* t);
/// Give up the CPU to another ready thread of the same or higher priority.
void thread_yield();
/// Sleep until the TSC reaches `deadline` (absolute). Returns at once if it has passed.
void sleep_until(uint64_t deadline);
/// Sleep until the TSC reaches `deadline`, unless `*flag` is already set, or until another
/// context calls thread_wake() for this thread. Returns whether it slept. For waiting on an
/// event with a timeout: set the flag, then thread_wake() the waiter; no wake-up is lost.
bool sleep_until_unless(uint64_t deadline, const volatile bool* flag);
/// Wake `t` early if it sleeps (sleep_until or sleep_until_unless): from any CPU, thread or
/// interrupt context, interrupts on or off. It costs a reschedule IPI to `t`'s CPU.
void thread_wake(Thread* t);
/// The calling CPU's LAPIC timer was reprogrammed behind the scheduler's back (a guest owned
/// the LAPIC for a while): forget what it thought was armed and schedule again soon.
void sched_timer_lost();
/// How long the calling thread may still run before its VCPU's budget is used up (cycles), or
/// UINT64_MAX for a background thread. For code that hands its time to someone else (the Linux
/// slave in babysat mode) and must stop there when the budget ends.
uint64_t current_budget_left();
/// Charge the calling thread's VCPU @p cycles it spent waiting for work done on its behalf
/// elsewhere (a delegated call served by the Linux slave on its own CPU: dedicated mode), as if
/// it had run them, ending now: its budget shrinks (what the budget cannot pay becomes debt,
/// paid by later replenishments), and the budget timer is set again. Returns the budget left
/// (0: the caller must stop until its replenishment; thread_yield() waits for it), UINT64_MAX
/// for a background thread (charged nothing).
uint64_t current_charge_wait(uint64_t cycles);
/// The AP's final loop: schedule forever.
[[noreturn]] void sched_idle_loop();

/// Per-CPU scheduler statistics, for tests and `@@` metrics.
struct SchedStats {
    uint64_t switches;         ///< context switches
    uint64_t timer_interrupts; ///< scheduler timer interrupts taken
    uint64_t idle_cycles;      ///< TSC cycles in the idle thread
};
/// Statistics of CPU `cpu`.
SchedStats sched_stats(unsigned cpu);
/// The TSC at which this CPU's scheduler timer is due (the next wake-up, budget end or slice end
/// it waits for), 0: none. Code that runs with interrupts off for long stretches (a babysat
/// slave) ends them when it is past.
uint64_t sched_timer_due();
/// Watch for scheduler timer interrupts that come more than @p cycles after their deadline
/// (interrupts were off when they were due): a latency bound missed, and where.
void sched_watch_late_timers(uint64_t cycles);
/// End the run with a panic @p seconds of TSC time after the scheduler starts on CPU 0 (0: never):
/// CPU 0's scheduler timer stays armed for it. Call before sched_init_cpu().
void sched_set_watchdog(uint64_t seconds);
/// Print the late timer interrupts seen (sched_watch_late_timers), per CPU, each with the
/// instruction it interrupted as a `#N 0x...` line, which the runner names with addr2line.
void sched_report_late_timers();

} // namespace kern
