// Lab 4 in-kernel tests: admission control and budget enforcement on the running scheduler.
// (The latency checks run rtlat, a master application: see autograder/labs/lab4.toml.)
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "core/atomic.h"
#include "lib/string.h"
#include "sched/thread.h"
#include "sched/vcpu.h"
#include "test/ktest.h"

using namespace kern;

namespace {
Atomic<bool> g_stop; // set by the test on CPU 0, polled by the vCPU's thread on CPU 1
void spin(void*) {
    while (!g_stop.load(MemoryOrder::acquire))
        cpu::pause();
}

Atomic<uint64_t> g_started_at; // when the preempting VCPU thread first ran (0: not yet)
void note_start(void*) {
    g_started_at.store(cpu::rdtsc(), MemoryOrder::release);
}

Atomic<uint64_t> g_woke_at; // when the sleeping VCPU thread ran again (0: not yet)
void sleep_then_note(void* arg) {
    g_started_at.store(cpu::rdtsc(), MemoryOrder::release);
    sleep_until(cpu::rdtsc() + reinterpret_cast<uint64_t>(arg));
    g_woke_at.store(cpu::rdtsc(), MemoryOrder::release);
}
} // namespace

KTEST(lab4, admission_accepts_then_refuses_overload) {
    KREQUIRE(g_clock.tsc_hz > 0);
    unsigned cpu = cpus_online() > 1 ? 1 : 0;
    uint64_t T = g_clock.tsc_hz / 100; // 10 ms
    // 40% + 40% fits (below the Liu & Layland bound for two, 82.8%)...
    auto a = vcpu_create(cpu, T * 2 / 5, T, "adm-a");
    auto b = vcpu_create(cpu, T * 2 / 5, T, "adm-b");
    KCHECK(a.ok());
    KCHECK(b.ok());
    // ...a third 40% VCPU would make 120%: refused, with the reason.
    auto c = vcpu_create(cpu, T * 2 / 5, T, "adm-c");
    KCHECK(!c.ok());
    if (!c.ok()) KCHECK(strcmp(c.error().what, "utilization above 1") == 0);
    // Budget larger than the period: refused whatever else runs.
    KCHECK(!vcpu_create(cpu, 2 * T, T, "adm-bad").ok());
    if (a.ok()) vcpu_destroy(*a.value());
    if (b.ok()) vcpu_destroy(*b.value());
    if (c.ok()) vcpu_destroy(*c.value());
}

KTEST(lab4, budget_limits_a_spinning_vcpu) {
    KREQUIRE(g_clock.tsc_hz > 0);
    unsigned cpu = cpus_online() > 1 ? 1 : 0;
    uint64_t T = g_clock.tsc_hz / 100; // 10 ms period
    uint64_t C = T / 5;                // 20% budget
    auto v = vcpu_create(cpu, C, T, "spinner");
    KREQUIRE(v.ok());
    g_stop.store(false, MemoryOrder::relaxed); // the thread does not exist yet
    auto th = thread_create(spin, nullptr, {.name = "spinner", .cpu = cpu, .vcpu = v.value()});
    KREQUIRE(th.ok());
    // Watch 10 periods: the spinner may use at most C per T (plus one period's slack for the
    // window it started in), though it would take 100% if allowed.
    uint64_t t0 = cpu::rdtsc();
    sleep_until(t0 + 10 * T);
    uint64_t consumed = vcpu_stats(*v.value()).consumed;
    g_stop.store(true, MemoryOrder::release);
    if (consumed == 0) {
        // Joining a thread that never runs would wait for ever: leave it, say why.
        t.fail("the VCPU's spinning thread was never charged a cycle in 10 periods: never "
               "picked, or never charged");
        return;
    }
    thread_join(th.value());
    vcpu_destroy(*v.value());
    uint64_t limit = 11 * C + C / 10;
    if (consumed > limit)
        t.fail("the VCPU ran %lu cycles in 10 periods, its budget allows %lu", consumed, 10 * C);
    KCHECK(consumed >= 8 * C); // and it did get (most of) its budget
}

KTEST(lab4, a_ready_vcpu_thread_preempts_a_background_thread) {
    KREQUIRE(g_clock.tsc_hz > 0 && cpus_online() > 1);
    uint64_t T = g_clock.tsc_hz / 100; // 10 ms, also the background time slice
    g_stop.store(false, MemoryOrder::relaxed);
    auto bg = thread_create(spin, nullptr, {.name = "background", .cpu = 1});
    KREQUIRE(bg.ok());
    sleep_until(cpu::rdtsc() + T / 10); // the spinner has CPU 1 now
    auto v = vcpu_create(1, T / 5, T, "preempter");
    KREQUIRE(v.ok());
    g_started_at.store(0, MemoryOrder::relaxed);
    uint64_t t0 = cpu::rdtsc();
    auto th =
        thread_create(note_start, nullptr, {.name = "preempter", .cpu = 1, .vcpu = v.value()});
    KREQUIRE(th.ok());
    while (!g_started_at.load(MemoryOrder::acquire) && cpu::rdtsc() - t0 < 5 * T)
        sleep_until(cpu::rdtsc() + T / 100);
    uint64_t started = g_started_at.load(MemoryOrder::acquire);
    g_stop.store(true, MemoryOrder::release);
    thread_join(bg.value());
    if (started) thread_join(th.value()); // one that never ran cannot be joined
    vcpu_destroy(*v.value());
    if (!started)
        t.fail("the VCPU's thread never ran within 5 periods next to a spinning background thread");
    // A VCPU thread outranks every background thread: it runs as soon as CPU 1 hears of it, not
    // when the spinner's 10 ms slice ends.
    else if (started - t0 > T / 10)
        t.fail("the VCPU's thread first ran %lu TSC ticks after it was made ready, behind a "
               "background thread (its slice is %lu)",
               started - t0, T);
}

KTEST(lab4, a_vcpu_thread_that_sleeps_runs_again) {
    KREQUIRE(g_clock.tsc_hz > 0);
    unsigned cpu = cpus_online() > 1 ? 1 : 0;
    uint64_t T = g_clock.tsc_hz / 100; // 10 ms
    auto v = vcpu_create(cpu, T / 5, T, "sleeper");
    KREQUIRE(v.ok());
    g_started_at.store(0, MemoryOrder::relaxed);
    g_woke_at.store(0, MemoryOrder::relaxed);
    auto th = thread_create(sleep_then_note, reinterpret_cast<void*>(2 * T),
                            {.name = "sleeper", .cpu = cpu, .vcpu = v.value()});
    KREQUIRE(th.ok());
    uint64_t t0 = cpu::rdtsc();
    while (!g_started_at.load(MemoryOrder::acquire) && cpu::rdtsc() - t0 < 5 * T)
        sleep_until(cpu::rdtsc() + T / 100);
    // Its program ends while the thread sleeps (as a process's last thread retires the
    // process's VCPUs and may then block on a lock): the VCPU stays until the thread is gone.
    vcpu_destroy(*v.value());
    // ...and its CPU schedules meanwhile: a background thread comes and goes there.
    auto other = thread_create([](void*) {}, nullptr, {.name = "passer-by", .cpu = cpu});
    KREQUIRE(other.ok());
    thread_join(other.value());
    while (!g_woke_at.load(MemoryOrder::acquire) && cpu::rdtsc() - t0 < 10 * T)
        sleep_until(cpu::rdtsc() + T / 100);
    uint64_t started = g_started_at.load(MemoryOrder::acquire);
    uint64_t woke = g_woke_at.load(MemoryOrder::acquire);
    if (woke) thread_join(th.value()); // one that never runs again cannot be joined
    if (!started)
        t.fail("the VCPU's thread never ran within 5 periods");
    else if (!woke)
        t.fail("the VCPU's thread slept for 2 periods and did not run again within 8 more: "
               "a woken thread must go back on its VCPU's ready queue");
}
