// rtlat: wakeup latency of periodic real-time threads, modelled on cyclictest.
//
// Each measuring thread runs on its own Main VCPU (budget C, period T) and, every period,
// sleeps until its next release time r_k, then records latency = (time it runs) - r_k,
// does `work_pct` of a period of busy work, and counts a deadline miss if it finishes after
// r_k + T. With `hog`, a thread on a lower-priority VCPU spins the whole time: the measuring
// threads' latency must not change much.
//
// Arguments (module string after "rtlat"), all optional:
//   threads=N        measuring threads (default 2); thread i has period (i+1) * period_us
//   period_us=P      base period in microseconds (default 1000)
//   budget_pct=B     VCPU budget as % of its period (default 20)
//   work_pct=W       busy work per period as % of the period (default 5)
//   loops=L          periods each thread runs (default 1000)
//   cpu=C            CPU for every VCPU (default 0)
//   hog              add a CPU hog on a low-priority VCPU
//   start_ms=D       wait D ms before starting (e.g. until a Linux slave left the CPU)
//   bound_cycles=X   check that the highest-priority thread's (T0's) max latency <= X, and that no
//                    thread misses a deadline; prints `@@ test=` lines. (Lower-priority threads
//                    wait for higher-priority jobs released at the same instant, by design.)
#include "core/rt/latency_stats.h"
#include "vos.h"

namespace {
constexpr int MAX_THREADS = 6;
constexpr size_t STACK = 16384;
alignas(16) uint8_t g_stacks[MAX_THREADS + 1][STACK];

struct Job {
    int index;
    int64_t vcpu;
    uint64_t period, work, loops;
    uint64_t misses;
    kern::LatencyStats stats;
    volatile bool done;
};
Job g_jobs[MAX_THREADS];
volatile bool g_stop_hog;
volatile uint64_t g_hog_spins;

void spin_until(uint64_t t) {
    while (vos::now() < t) {
    }
}

void measure(void* p) {
    Job& j = *static_cast<Job*>(p);
    uint64_t release = vos::now() + j.period;
    for (uint64_t k = 0; k < j.loops; ++k) {
        vos::sleep_until(release);
        uint64_t woke = vos::now();
        j.stats.add(woke - release);
        spin_until(woke + j.work);
        if (vos::now() > release + j.period) {
            ++j.misses;
            vos::syscall(kern::abi::SYS_REPORT_MISS, uint64_t(j.vcpu));
        }
        release += j.period;
    }
    j.done = true;
}

void hog(void*) {
    while (!g_stop_hog)
        g_hog_spins = g_hog_spins + 1;
}

void print_histogram(const kern::LatencyStats& s) {
    vos::printf("    histogram (cycles):");
    for (size_t b = 0; b < kern::LatencyStats::BUCKETS; ++b)
        if (s.bucket(b))
            vos::printf(" [%lu,%lu):%lu", kern::LatencyStats::bucket_low(b),
                        kern::LatencyStats::bucket_low(b + 1), s.bucket(b));
    vos::printf("\n");
}
} // namespace

int app_main(const char* args) {
    uint64_t hz = vos::tsc_hz();
    if (hz == 0) {
        vos::printf("rtlat: the kernel has no calibrated TSC; cannot measure\n");
        return 2;
    }
    int threads = int(vos::arg_u64(args, "threads", 2));
    threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    uint64_t base = vos::arg_u64(args, "period_us", 1000) * hz / 1000000;
    uint64_t budget_pct = vos::arg_u64(args, "budget_pct", 20);
    uint64_t work_pct = vos::arg_u64(args, "work_pct", 5);
    uint64_t loops = vos::arg_u64(args, "loops", 1000);
    unsigned cpu = unsigned(vos::arg_u64(args, "cpu", 0));
    uint64_t bound = vos::arg_u64(args, "bound_cycles", 0);
    bool with_hog = vos::arg_flag(args, "hog");
    if (uint64_t delay = vos::arg_u64(args, "start_ms", 0)) {
        vos::printf("rtlat: starting in %lu ms\n", delay);
        vos::sleep_until(vos::now() + delay * (hz / 1000));
    }
    vos::printf("rtlat: %d thread(s) on CPU %u, base period %lu cycles, budget %lu%%, work %lu%%, "
                "%lu loops%s\n",
                threads, cpu, base, budget_pct, work_pct, loops,
                with_hog ? ", with a CPU hog" : "");

    int failures = 0;
    for (int i = 0; i < threads; ++i) {
        Job& j = g_jobs[i];
        j.index = i;
        j.period = base * uint64_t(i + 1);
        j.work = j.period * work_pct / 100;
        j.loops = loops / uint64_t(i + 1);
        j.vcpu = vos::vcpu_create(j.period * budget_pct / 100, j.period, cpu);
        if (j.vcpu < 0) {
            vos::printf("rtlat: VCPU for thread %d refused (%ld): lower budget_pct or threads\n", i,
                        j.vcpu);
            return 3;
        }
    }
    int64_t hog_vcpu = -1;
    if (with_hog) {
        uint64_t hog_period = base * uint64_t(threads + 1) * 2;
        hog_vcpu = vos::vcpu_create(hog_period / 5, hog_period, cpu);
        if (hog_vcpu < 0) {
            vos::printf("rtlat: the hog's VCPU was refused (%ld)\n", hog_vcpu);
            return 3;
        }
        vos::thread_create(hog, nullptr, g_stacks[MAX_THREADS] + STACK, uint64_t(hog_vcpu));
    }
    for (int i = 0; i < threads; ++i)
        vos::thread_create(measure, &g_jobs[i], g_stacks[i] + STACK, uint64_t(g_jobs[i].vcpu));
    // Wait for every thread, but not forever: a VCPU whose budget cannot even cover the
    // kernel's own work per period (syscalls, timer interrupts) never finishes its loops.
    uint64_t give_up = vos::now() + base * uint64_t(threads) * (loops + 10) * 4;
    for (int i = 0; i < threads; ++i)
        while (!g_jobs[i].done && vos::now() < give_up)
            vos::sleep_until(vos::now() + base);
    g_stop_hog = true;
    for (int i = 0; i < threads; ++i)
        if (!g_jobs[i].done) {
            vos::printf("rtlat: thread T%d did not finish its %lu periods in time: its budget may "
                        "be too small for "
                        "its work plus the kernel's per-period overhead (try a longer period_us)\n",
                        i, g_jobs[i].loops);
            vos::report_test(with_hog ? "rtlat_latency_bound_with_hog" : "rtlat_latency_bound",
                             false, "a thread starved: it did not finish its periods in time");
            vos::report_test(with_hog ? "rtlat_no_deadline_misses_with_hog"
                                      : "rtlat_no_deadline_misses",
                             false, "a thread starved: it did not finish its periods in time");
            return 4;
        }

    uint64_t max = 0, misses = 0, sum = 0, count = 0;
    for (int i = 0; i < threads; ++i) {
        Job& j = g_jobs[i];
        vos::printf("  T%d: period %lu cycles, budget %lu: latency min %lu avg %lu max %lu cycles "
                    "(max %lu ns), %lu samples, %lu deadline misses\n",
                    i, j.period, j.period * budget_pct / 100, j.stats.min(), j.stats.avg(),
                    j.stats.max(), j.stats.max() * 1000000000 / hz, j.stats.count(), j.misses);
        print_histogram(j.stats);
        vos::printf("@@ metric=rtlat%s_t%d_max value=%lu unit=cycles\n", with_hog ? "_hog" : "", i,
                    j.stats.max());
        max = j.stats.max() > max ? j.stats.max() : max;
        misses += j.misses;
        sum += j.stats.avg() * j.stats.count();
        count += j.stats.count();
    }
    if (with_hog) vos::printf("  hog: %lu spins on its VCPU\n", g_hog_spins);
    const char* tag = with_hog ? "_hog" : "";
    vos::printf("@@ metric=rtlat%s_t0_min value=%lu unit=cycles\n", tag, g_jobs[0].stats.min());
    vos::printf("@@ metric=rtlat%s_t0_avg value=%lu unit=cycles\n", tag, g_jobs[0].stats.avg());
    vos::printf("@@ metric=rtlat%s_max value=%lu unit=cycles\n", tag, max);
    vos::printf("@@ metric=rtlat%s_avg value=%lu unit=cycles\n", tag, count ? sum / count : 0);
    vos::printf("@@ metric=rtlat%s_misses value=%lu unit=count\n", tag, misses);
    if (bound) {
        bool lat_ok = g_jobs[0].stats.max() <= bound, miss_ok = misses == 0;
        vos::report_test(with_hog ? "rtlat_latency_bound_with_hog" : "rtlat_latency_bound", lat_ok);
        vos::report_test(
            with_hog ? "rtlat_no_deadline_misses_with_hog" : "rtlat_no_deadline_misses", miss_ok);
        failures += (lat_ok ? 0 : 1) + (miss_ok ? 0 : 1);
    }
    return failures;
}
