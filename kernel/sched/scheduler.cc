// The per-CPU scheduler: queues, the pick-next policy, the one-shot timer and the switch.
//
// Locking: a CPU's queues are touched only by that CPU, with interrupts off. Other CPUs hand it
// threads through its inbox (a spinlock-protected queue) and a reschedule IPI, so the fast
// paths need no lock at all.
#include "sched/thread.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "arch/x86_64/trap.h"
#include "console/console.h"
#include "core/thread/initial_stack.h"
#include "hooks.h"
#include "lib/string.h"
#include "mem/kmalloc.h"
#include "mem/memory.h"
#include "panic.h"
#include "proc/process.h"
#include "sched/context_switch.h"
#include "sched/vcpu.h"
#include "sched/vcpu_internal.h"
#include "sync/spinlock.h"

#include <new>

namespace kern {

namespace {

constexpr uint8_t VEC_SCHED_TIMER = 0xE1;
constexpr uint8_t VEC_RESCHED = 0xF2;
constexpr size_t IDLE_STACK_SIZE = 8192;

/// A scheduler timer interrupt that came late: interrupts were off when it was due.
struct LateTimer {
    uint64_t cycles; // after its deadline
    uint64_t rip;    // the instruction it interrupted: where interrupts came back on
};
constexpr unsigned LATE_KEPT = 8; // per CPU, the latest ones kept
uint64_t g_late_threshold = 0;    // late_timers=CYCLES; 0: not watched
uint64_t g_watchdog_s = 0;        // watchdog=S; 0: none
uint64_t g_watchdog_at = 0;       // the TSC at which CPU 0 ends the run (0: none)

struct CpuSched {
    bool ready = false;
    Thread* current = nullptr;
    Thread* idle = nullptr;
    Thread* prev = nullptr; // the thread switched away from, for finish_switch()
    FifoQueue background;   // ready background threads, round robin
    SleepQueue sleepers;    // sleeping threads by wake-up time
    Spinlock inbox_lock;
    FifoQueue inbox; // threads handed over by other CPUs
    Spinlock wake_lock;
    Thread* wakes[16] = {}; // sleepers to wake early (thread_wake), drained by schedule()
    unsigned wake_count = 0;
    uint64_t switched_in_at = 0; // TSC when current started running
    uint64_t slice_end = 0;      // end of the current background slice
    uint64_t timer_at = 0;       // the programmed timer deadline, 0 = none
    SchedStats stats{};
    LateTimer late[LATE_KEPT] = {}; // the latest timer interrupts (late_timers=CYCLES)
    unsigned late_count = 0;        // entries of late[] in use
    Thread boot;                    // the adopted start-up context
    Thread idle_storage;
};

CpuSched g_sched[MAX_CPUS];
alignas(16) uint8_t g_idle_stacks[MAX_CPUS][IDLE_STACK_SIZE];
uint32_t g_next_id = 1;

CpuSched& me() {
    return g_sched[this_cpu().index];
}

Thread* thread_of(QueueNode* n) {
    return reinterpret_cast<Thread*>(reinterpret_cast<uint8_t*>(n) -
                                     __builtin_offsetof(Thread, node));
}

uint64_t slice_cycles() {
    return g_clock.tsc_hz ? g_clock.tsc_hz / 100 : 10000000;
} // 10 ms

void set_name(Thread* t, const char* name) {
    size_t i = 0;
    for (; name && name[i] && i < sizeof t->name - 1; ++i)
        t->name[i] = name[i];
    t->name[i] = '\0';
}

/// Put a ready thread where pick_next will find it.
void make_ready(CpuSched& cs, Thread* t) {
    t->state = Thread::State::ready;
    if (t == cs.idle) return;
    if (t->node.queued) PANIC("thread '%s' made ready while already queued", t->name);
    if (t->vcpu)
        vcpu_enqueue(*t->vcpu, &t->node);
    else
        cs.background.push_back(&t->node);
}

/// Program the one-shot timer for `deadline` (0: none). TSC-deadline mode when the CPU has it
/// (SDM 11.5.4.1), else the LAPIC one-shot count converted from TSC ticks.
void program_timer(CpuSched& cs, uint64_t now, uint64_t deadline) {
    // The watchdog (watchdog=S) keeps CPU 0's timer armed, whatever else its scheduler waits for.
    if (g_watchdog_at && this_cpu().index == 0 && (!deadline || deadline > g_watchdog_at))
        deadline = g_watchdog_at;
    if (deadline == cs.timer_at) return;
    cs.timer_at = deadline;
    if (!deadline) {
        lapic::timer_stop();
        return;
    }
    if (lapic::has_tsc_deadline()) {
        lapic::timer_deadline(VEC_SCHED_TIMER, deadline);
        return;
    }
    uint64_t delta = deadline > now ? deadline - now : 1;
    uint64_t ticks =
        g_clock.tsc_hz ? delta * (g_clock.lapic_timer_hz / 1000) / (g_clock.tsc_hz / 1000) : delta;
    lapic::timer_oneshot(VEC_SCHED_TIMER, uint32_t(ticks > 0xFFFFFFFF ? 0xFFFFFFFF
                                                   : ticks            ? ticks
                                                                      : 1));
}

/// Charge the outgoing thread for the time it ran.
void account(CpuSched& cs, uint64_t now) {
    Thread* cur = cs.current;
    uint64_t ran = now - cs.switched_in_at;
    cur->run_cycles += ran;
    if (cur == cs.idle) cs.stats.idle_cycles += ran;
    if (cur->vcpu) vcpu_charge(*cur->vcpu, cs.switched_in_at, now);
}

/// Choose what runs next: a VCPU thread by priority (lab 4), else a background thread, else idle.
Thread* pick_next(CpuSched& cs, uint64_t now) {
    if (QueueNode* n = vcpu_pick(this_cpu().index, now)) return thread_of(n);
    if (QueueNode* n = cs.background.pop_front()) return thread_of(n);
    return cs.idle;
}

/// The next instant the scheduler must look again.
uint64_t next_event(CpuSched& cs, Thread* next, uint64_t now) {
    uint64_t at = cs.sleepers.next_wakeup();
    if (!next->vcpu && next != cs.idle && !cs.background.empty())
        at = cs.slice_end < at ? cs.slice_end : at;
    uint64_t v = vcpu_next_event(this_cpu().index, next->vcpu ? next->vcpu : nullptr, now);
    at = v < at ? v : at;
    return at == UINT64_MAX ? 0 : at;
}

/// Run by every thread right after it is switched to: finishes what the previous thread could
/// not do on its own stack (marking itself exited).
void finish_switch(CpuSched& cs) {
    Thread* prev = cs.prev;
    cs.prev = nullptr;
    if (!prev || prev->state != Thread::State::dead) return;
    if (prev->vcpu) vcpu_unbind(*prev->vcpu); // off the CPU for good: its VCPU may go
    if (prev->detached) { // nobody will join it: we are off its stack now, free it
        kfree(prev->stack);
        delete prev;
        return;
    }
    __atomic_store_n(&prev->exited, true, __ATOMIC_RELEASE);
}

/// Address space and kernel stack for `next`: CR3 of its process (or the kernel's), and the
/// stack the CPU switches to on an interrupt or syscall from user mode (TSS.RSP0, SDM Vol 3A
/// 8.7; PerCpu::kernel_rsp for SYSCALL).
void switch_address_space(Thread* next) {
    uint64_t root = next->process ? process_root(*next->process) : kernel_page_table().root();
    if (cpu::read_cr3() != root) cpu::write_cr3(root);
    if (next->stack) {
        uint64_t top = reinterpret_cast<uint64_t>(next->stack) + next->stack_size;
        this_cpu().tss.rsp[0] = top;
        this_cpu().kernel_rsp = top;
    }
}

/// The scheduler proper. Interrupts must be off.
void schedule() {
    CpuSched& cs = me();
    uint64_t now = cpu::rdtsc();
    account(cs, now);
    {
        SpinlockGuard g(cs.inbox_lock);
        while (QueueNode* n = cs.inbox.pop_front())
            make_ready(cs, thread_of(n));
    }
    {
        SpinlockGuard g(cs.wake_lock);
        for (unsigned i = 0; i < cs.wake_count; ++i) {
            Thread* t = cs.wakes[i];
            if (t->state == Thread::State::sleeping && cs.sleepers.remove(&t->node))
                make_ready(cs, t);
        }
        cs.wake_count = 0;
    }
    while (QueueNode* n = cs.sleepers.pop_due(now))
        make_ready(cs, thread_of(n));
    vcpu_reap(this_cpu().index);
    vcpu_replenish(this_cpu().index, now);

    Thread* prev = cs.current;
    bool background_expired = !prev->vcpu && now >= cs.slice_end;
    if (prev->state == Thread::State::running) {
        // A background thread keeps the CPU until its slice ends unless a VCPU thread is ready.
        if (prev != cs.idle && !prev->vcpu && !background_expired &&
            !vcpu_has_ready(this_cpu().index, now)) {
            cs.switched_in_at = now;
            program_timer(cs, now, next_event(cs, prev, now));
            return;
        }
        make_ready(cs, prev);
    }
    Thread* next = pick_next(cs, now);
    next->state = Thread::State::running;
    if (!next->vcpu && (next != prev || background_expired)) cs.slice_end = now + slice_cycles();
    if (next->vcpu) vcpu_start(*next->vcpu, now);
    cs.switched_in_at = now;
    program_timer(cs, now, next_event(cs, next, now));
    if (next == prev) return;
    ++cs.stats.switches;
    ++next->switches_in;
    cs.current = next;
    cs.prev = prev;
    switch_address_space(next);
    context_switch(&prev->saved_rsp, next->saved_rsp);
    finish_switch(me());
}

/// Keep the interrupt if it is among this CPU's LATE_KEPT latest (late_timers=CYCLES).
void note_late_timer(CpuSched& cs, uint64_t now, uint64_t rip) {
    uint64_t late = now - cs.timer_at;
    if (!g_late_threshold || !cs.timer_at || now < cs.timer_at || late <= g_late_threshold) return;
    unsigned slot = cs.late_count;
    if (slot == LATE_KEPT) { // full: replace the least late, if this one is later
        slot = 0;
        for (unsigned i = 1; i < LATE_KEPT; ++i)
            if (cs.late[i].cycles < cs.late[slot].cycles) slot = i;
        if (cs.late[slot].cycles >= late) return;
    } else {
        ++cs.late_count;
    }
    cs.late[slot] = {late, rip};
}

void on_sched_timer(TrapFrame& tf) {
    CpuSched& cs = me();
    if (g_watchdog_at && this_cpu().index == 0 && cpu::rdtsc() >= g_watchdog_at)
        PANIC("watchdog: %lu s of TSC time and the run has not ended (a thread that never gets "
              "the CPU, or one that never finishes?)",
              g_watchdog_s);
    note_late_timer(cs, cpu::rdtsc(), tf.rip);
    cs.timer_at = 0;
    ++cs.stats.timer_interrupts;
    lapic::eoi();
    schedule();
}

void on_resched(TrapFrame&) {
    lapic::eoi();
    schedule();
}

/// Every new thread starts here (build_initial_stack()), on its own stack, interrupts off.
[[noreturn]] void thread_main(void* arg) {
    Thread* t = static_cast<Thread*>(arg);
    finish_switch(me());
    cpu::sti();
    t->entry(t->arg);
    thread_exit();
}

} // namespace

void sched_init_cpu() {
    CpuSched& cs = me();
    unsigned index = this_cpu().index;
    if (index == 0) {
        if (g_watchdog_s)
            g_watchdog_at =
                cpu::rdtsc() + g_watchdog_s * (g_clock.tsc_hz ? g_clock.tsc_hz : 1000000000);
        trap_register(VEC_SCHED_TIMER, on_sched_timer);
        trap_register(VEC_RESCHED, on_resched);
    }
    cs.boot.state = Thread::State::running;
    cs.boot.cpu = index;
    set_name(&cs.boot, index == 0 ? "main" : "idle");
    Thread* idle = &cs.idle_storage;
    if (index == 0) {
        // The BSP's start-up context goes on as the "main" thread; idle gets a stack of its own.
        idle->cpu = 0;
        set_name(idle, "idle");
        idle->entry = [](void*) {
            for (;;) {
                cpu::sti();
                cpu::hlt(); // interrupts (timer, reschedule IPI) call schedule()
            }
        };
        idle->saved_rsp = build_initial_stack(g_idle_stacks[0], IDLE_STACK_SIZE, thread_main, idle);
        if (!idle->saved_rsp) PANIC("build_initial_stack refused the idle thread's stack (lab 3)");
        cs.idle = idle;
    } else {
        // An AP's start-up context is its idle thread.
        cs.idle = &cs.boot;
    }
    cs.current = &cs.boot;
    cs.switched_in_at = cpu::rdtsc();
    cs.slice_end = cs.switched_in_at + slice_cycles();
    cs.ready = true;
}

bool sched_ready() {
    return g_cpus_online && me().ready;
}

Thread* current_thread() {
    return me().current;
}

Result<Thread*> thread_create(void (*entry)(void*), void* arg, const ThreadOptions& opts) {
    if (opts.cpu >= MAX_CPUS || !g_percpu[opts.cpu].online || !g_sched[opts.cpu].ready)
        return Error{Errc::invalid_argument, "thread_create: that CPU is not online"};
    if (opts.vcpu && vcpu_cpu(*opts.vcpu) != opts.cpu)
        return Error{Errc::invalid_argument, "thread_create: the VCPU belongs to another CPU"};
    if (opts.stack_size < 4096)
        return Error{Errc::invalid_argument, "thread_create: stack smaller than 4 KiB"};
    auto* t = new Thread;
    t->stack = static_cast<uint8_t*>(kmalloc(opts.stack_size));
    t->stack_size = opts.stack_size;
    t->entry = entry;
    t->arg = arg;
    t->cpu = opts.cpu;
    t->vcpu = opts.vcpu;
    t->process = opts.process;
    t->detached = opts.detached;
    t->id = __atomic_fetch_add(&g_next_id, 1, __ATOMIC_RELAXED);
    set_name(t, opts.name);
    t->saved_rsp = build_initial_stack(t->stack, t->stack_size, thread_main, t);
    if (!t->saved_rsp) {
        kfree(t->stack);
        delete t;
        return Error{Errc::invalid_argument,
                     "thread_create: build_initial_stack refused the stack"};
    }
    if (t->vcpu) vcpu_bind(*t->vcpu);
    CpuSched& target = g_sched[opts.cpu];
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    if (opts.cpu == this_cpu().index) {
        make_ready(target, t);
    } else {
        {
            SpinlockGuard g(target.inbox_lock);
            target.inbox.push_back(&t->node);
        }
        lapic::send_ipi(g_percpu[opts.cpu].apic_id,
                        lapic::FIXED | lapic::ICR_LEVEL_ASSERT | VEC_RESCHED);
    }
    return t;
}

void thread_exit() {
    cpu::cli();
    CpuSched& cs = me();
    if (cs.current == cs.idle || cs.current == &cs.boot)
        PANIC("thread_exit from the boot or idle thread");
    cs.current->state = Thread::State::dead;
    schedule();
    PANIC("a dead thread was scheduled");
}

void thread_join(Thread* t) {
    while (!__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE))
        sleep_until(cpu::rdtsc() + (g_clock.tsc_hz ? g_clock.tsc_hz / 10000 : 100000)); // 100 us
    kfree(t->stack);
    delete t;
}

void thread_yield() {
    cpu::IrqSave irqs;  // interrupts off, as the caller had them again on return
    me().slice_end = 0; // give the rest of the slice away
    schedule();
}

void sleep_until(uint64_t deadline) {
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    CpuSched& cs = me();
    if (cpu::rdtsc() < deadline) {
        cs.current->state = Thread::State::sleeping;
        cs.sleepers.insert(&cs.current->node, deadline);
        schedule();
    }
}

bool sleep_until_unless(uint64_t deadline, const volatile bool* flag) {
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    CpuSched& cs = me();
    bool slept = false;
    // The flag is checked with interrupts off: a waker that sets it after this point finds the
    // thread on the sleep queue (its wake IPI is handled once this CPU takes interrupts again).
    if (!*flag && cpu::rdtsc() < deadline) {
        cs.current->state = Thread::State::sleeping;
        cs.sleepers.insert(&cs.current->node, deadline);
        schedule();
        slept = true;
    }
    return slept;
}

void sched_timer_lost() {
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    me().timer_at = 0; // whatever was armed is gone: program_timer() arms it again
    me().slice_end = 0;
    lapic::send_ipi(this_cpu().apic_id,
                    lapic::FIXED | lapic::ICR_LEVEL_ASSERT | VEC_RESCHED); // and soon
}

uint64_t current_budget_left() {
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    CpuSched& cs = me();
    uint64_t left = UINT64_MAX;
    if (Vcpu* v = cs.current->vcpu) {
        uint64_t ran = cpu::rdtsc() - cs.switched_in_at, budget = vcpu_budget(*v);
        left = budget > ran ? budget - ran : 0;
    }
    return left;
}

uint64_t current_charge_wait(uint64_t cycles) {
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    CpuSched& cs = me();
    uint64_t left = UINT64_MAX;
    if (Vcpu* v = cs.current->vcpu) {
        uint64_t now = cpu::rdtsc();
        vcpu_charge(*v, cs.switched_in_at, now); // what it ran, as at a switch
        vcpu_charge_wait(*v, now, cycles);       // then what it waited
        vcpu_start(*v, now);
        cs.switched_in_at = now;
        left = vcpu_budget(*v);
        program_timer(cs, now, next_event(cs, cs.current, now)); // the budget's end moved
    }
    return left;
}

void thread_wake(Thread* t) {
    CpuSched& target = g_sched[t->cpu];
    cpu::IrqSave irqs; // interrupts off, as the caller had them again on return
    bool queued = false;
    {
        SpinlockGuard g(target.wake_lock);
        if (target.wake_count < sizeof target.wakes / sizeof target.wakes[0]) {
            target.wakes[target.wake_count++] = t;
            queued = true;
        }
    }
    // A reschedule interrupt, to the thread's CPU (itself included: it then drains the list at
    // its next schedule(), in interrupt context or not). A full list only delays the wake-up to
    // the sleeper's own deadline.
    if (queued)
        lapic::send_ipi(g_percpu[t->cpu].apic_id,
                        lapic::FIXED | lapic::ICR_LEVEL_ASSERT | VEC_RESCHED);
}

void sched_idle_loop() {
    for (;;) {
        cpu::sti();
        cpu::hlt();
    }
}

SchedStats sched_stats(unsigned cpu) {
    return g_sched[cpu].stats;
}

BOOT_OPTION(late_timers, "late_timers=CYCLES: at the end, list the scheduler timer interrupts "
                         "that came more than CYCLES after their deadline (the latest 8 per CPU) "
                         "and where each found interrupts back on");

uint64_t sched_timer_due() {
    cpu::IrqSave irqs;
    return me().timer_at;
}

void sched_watch_late_timers(uint64_t cycles) {
    g_late_threshold = cycles;
}

BOOT_OPTION(watchdog,
            "watchdog=S: end the run with a panic S seconds of TSC time after the "
            "scheduler starts (graded runs: a thread that never runs cannot hold them up)");

void sched_set_watchdog(uint64_t seconds) {
    g_watchdog_s = seconds;
}

void sched_report_late_timers() {
    if (!g_late_threshold) return;
    for (unsigned c = 0; c < MAX_CPUS; ++c) {
        if (!g_percpu[c].online) continue;
        CpuSched& cs = g_sched[c];
        kprintf("late timers: CPU %u: %u over %lu cycles late%s\n", c, cs.late_count,
                g_late_threshold,
                cs.late_count ? " (cycles late; where interrupts came back on):" : "");
        for (unsigned i = 0; i < cs.late_count; ++i)
            kprintf("  %lu cycles\n    #%u 0x%016lx\n", cs.late[i].cycles, i, cs.late[i].rip);
    }
}

} // namespace kern
