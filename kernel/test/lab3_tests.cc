// Lab 3 in-kernel tests (step 2): real threads on real stacks, switched by lab 3's
// context_switch, queued by its run and sleep queues (step 1, host-tested).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "core/atomic.h"
#include "sched/thread.h"
#include "test/ktest.h"

using namespace kern;

namespace {
// The order in which threads ran. The test reads it after thread_join(), which orders it after
// the threads' writes; relaxed accesses suffice.
Atomic<int> g_log[64];
Atomic<int> g_log_len;

void log_event(int v) {
    int i = g_log_len.fetch_add(1, MemoryOrder::relaxed);
    if (i < 64) g_log[i].store(v, MemoryOrder::relaxed);
}

struct PingArg {
    int id;
    int rounds;
};

void ping(void* p) {
    auto* a = static_cast<PingArg*>(p);
    for (int i = 0; i < a->rounds; ++i) {
        log_event(a->id);
        thread_yield();
    }
}

Atomic<uint64_t> g_counter;
void spin_counter(void*) {
    uint64_t end = cpu::rdtsc() + g_clock.tsc_hz / 20; // 50 ms of work
    while (cpu::rdtsc() < end)
        g_counter.fetch_add(1, MemoryOrder::relaxed);
}

Atomic<uint64_t> g_woke_at;
void sleeper(void* p) {
    uint64_t deadline = *static_cast<uint64_t*>(p);
    sleep_until(deadline);
    g_woke_at.store(cpu::rdtsc(), MemoryOrder::release);
}

/// What a new thread's entry saw: its frame address (16-aligned iff it was entered as the ABI
/// enters a function) and how many frames a backtrace from it walks before RBP 0.
Atomic<uint64_t> g_entry_frame;
Atomic<uint64_t> g_entry_depth;
void note_frame(void*) {
    uint64_t rbp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    g_entry_frame.store(rbp, MemoryOrder::relaxed);
    uint64_t depth = 0;
    // entry <- thread_main <- the thread's first frame: RBP 0 ends it. Bounded, in case it does
    // not.
    while (rbp && depth < 16) {
        rbp = *reinterpret_cast<uint64_t*>(rbp);
        ++depth;
    }
    g_entry_depth.store(depth, MemoryOrder::relaxed);
}

Atomic<unsigned> g_ran_on_cpu{~0u};
void where_am_i(void*) {
    g_ran_on_cpu.store(this_cpu().index, MemoryOrder::release); // read on another CPU
}
} // namespace

KTEST(lab3, threads_run_and_exit) {
    g_log_len.store(0, MemoryOrder::relaxed);
    PingArg a{7, 1};
    auto th = thread_create(ping, &a, {.name = "once"});
    KREQUIRE(th.ok());
    thread_join(th.value());
    KCHECK(g_log_len.load(MemoryOrder::relaxed) == 1 && g_log[0].load(MemoryOrder::relaxed) == 7);
}

KTEST(lab3, new_thread_starts_aligned_with_an_empty_backtrace) {
    g_entry_depth.store(99, MemoryOrder::relaxed);
    auto th = thread_create(note_frame, nullptr, {.name = "frame"});
    KREQUIRE(th.ok());
    thread_join(th.value());
    uint64_t frame = g_entry_frame.load(MemoryOrder::relaxed);
    if (frame % 16 != 0)
        t.fail("a new thread's function ran with RBP %#lx: its stack was not aligned as a call's",
               frame);
    uint64_t depth = g_entry_depth.load(MemoryOrder::relaxed);
    if (depth > 3)
        t.fail(
            "a backtrace from a new thread's function walks %lu frames: the first frame's RBP is "
            "not 0",
            depth);
}

KTEST(lab3, yield_alternates_two_threads) {
    g_log_len.store(0, MemoryOrder::relaxed);
    PingArg a{1, 5}, b{2, 5};
    auto ta = thread_create(ping, &a, {.name = "ping"});
    auto tb = thread_create(ping, &b, {.name = "pong"});
    KREQUIRE(ta.ok() && tb.ok());
    thread_join(ta.value());
    thread_join(tb.value());
    KREQUIRE(g_log_len.load(MemoryOrder::relaxed) == 10);
    // Strict alternation 1 2 1 2 ...: each yield hands the CPU to the other thread.
    for (int i = 0; i < 10; ++i) {
        int who = g_log[i].load(MemoryOrder::relaxed);
        if (who != (i % 2 ? 2 : 1)) {
            t.fail("event %d came from thread %d: yield did not alternate", i, who);
            return;
        }
    }
}

KTEST(lab3, timer_preempts_a_spinning_thread) {
    // Two threads that never yield must still share the CPU: the slice timer preempts them.
    g_counter.store(0, MemoryOrder::relaxed);
    auto a = thread_create(spin_counter, nullptr, {.name = "spin-a"});
    auto b = thread_create(spin_counter, nullptr, {.name = "spin-b"});
    KREQUIRE(a.ok() && b.ok());
    uint64_t switches_before = sched_stats(0).switches;
    thread_join(a.value());
    thread_join(b.value());
    KCHECK(g_counter.load(MemoryOrder::relaxed) > 0);
    KCHECK(sched_stats(0).switches - switches_before >= 4);
    KCHECK(sched_stats(0).timer_interrupts > 0);
}

KTEST(lab3, sleep_until_wakes_on_time) {
    KREQUIRE(g_clock.tsc_hz > 0);
    uint64_t deadline = cpu::rdtsc() + g_clock.tsc_hz / 200; // 5 ms
    g_woke_at.store(0, MemoryOrder::relaxed);
    auto s = thread_create(sleeper, &deadline, {.name = "sleeper"});
    KREQUIRE(s.ok());
    thread_join(s.value());
    uint64_t woke_at = g_woke_at.load(MemoryOrder::acquire);
    KCHECK(woke_at >= deadline);
    // Late by at most 1 ms (tickless one-shot timer; emulators add a little).
    if (woke_at > deadline + g_clock.tsc_hz / 1000)
        t.fail("woke %lu cycles after its deadline", woke_at - deadline);
}

KTEST(lab3, threads_run_on_the_second_cpu) {
    KREQUIRE(cpus_online() >= 2);
    g_ran_on_cpu.store(~0u, MemoryOrder::relaxed);
    auto r = thread_create(where_am_i, nullptr, {.name = "remote", .cpu = 1});
    KREQUIRE(r.ok());
    thread_join(r.value());
    KCHECK(g_ran_on_cpu.load(MemoryOrder::acquire) == 1);
}
