// Benchmarks (`test=bench`): costs of the kernel's own paths, reported as `@@ metric=` lines.
// In Bochs with clock: sync=none each figure is an exact instruction count, the same on every
// run; under QEMU or KVM they are TSC ticks of the host. tools/bench.py collects them.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp/smp.h"
#include "core/atomic.h"
#include "core/time/calibrate.h"
#include "sched/thread.h"
#include "test/ktest.h"
#include "test/report.h"

using namespace kern;

namespace {
constexpr int ROUNDS = 1000;
Atomic<int> g_turn; // whose turn it is: 0 or 1

void yielder(void* p) {
    int me = int(reinterpret_cast<uintptr_t>(p));
    for (int i = 0; i < ROUNDS; ++i) {
        while (g_turn.load(MemoryOrder::acquire) != me)
            thread_yield();
        g_turn.store(1 - me, MemoryOrder::release);
    }
}
} // namespace

KTEST(bench, context_switch) {
    // Two threads hand the CPU back and forth with thread_yield(): each round is two switches.
    g_turn.store(0, MemoryOrder::relaxed); // before the threads exist
    uint64_t s0 = sched_stats(0).switches;
    uint64_t t0 = cpu::rdtsc();
    auto a = thread_create(yielder, reinterpret_cast<void*>(0), {.name = "yield-a"});
    auto b = thread_create(yielder, reinterpret_cast<void*>(1), {.name = "yield-b"});
    KREQUIRE(a.ok() && b.ok());
    thread_join(a.value());
    thread_join(b.value());
    uint64_t switches = sched_stats(0).switches - s0;
    KREQUIRE(switches >= 2 * ROUNDS);
    report_metric("yield_switch", (cpu::rdtsc() - t0) / switches, "cycles");
}

KTEST(bench, ipi_round_trip) {
    if (cpus_online() < 2) return;
    uint64_t samples[101];
    for (auto& s : samples) {
        auto r = smp_ping(1, 100000);
        KREQUIRE(r.ok());
        s = r.value();
    }
    report_metric("ipi_round_trip_median", median(samples, 101), "cycles");
}
