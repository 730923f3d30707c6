// delegbench's concurrent part: several master threads delegating at once, each on a VCPU of
// its own on CPU `cpu=` (0; with libos=babysat, 1: the slave's CPU).
//
//   concurrent=N  null-call round trips with 1, 2, 4 ... N callers at once (`calls=` each, all
//                 callers starting each call at the same instant, one every `gap_us=` (10000):
//                 a caller's budget, which pays for its wait, then never runs out):
//                 @@ metric=deleg_nop_c<n>_min|avg|max
//   blocked       first the single-caller round trip, then four callers: one reads a connected
//                 TCP socket nobody writes to (it blocks in Linux until its 5 s deadline), the
//                 other three make their null calls meanwhile. Pass: the read ends with
//                 -ETIMEDOUT, the three finish every call before it ends, at their normal
//                 round trip (average at most 4 times the single caller's: three callers share
//                 one daemon), @@ test=delegation_concurrent_blocked
//   budget        dedicated mode charges Linux's time on a call to the caller's VCPU:
//                 `budget_calls=` (10) RUN calls ("true": a fork and an exec in Linux, little
//                 for the caller to run) back to back on a VCPU with 10% of a 10 ms period are
//                 charged at least a tenth of their round trips (measured first by the main
//                 thread, which has no budget), and take no less than the periods that charge
//                 needs at that rate: @@ test=delegation_budget_charged (fails with
//                 libos_charge=0: nothing is charged).
#include "concurrent.h"

#include "core/format.h"
#include "vos.h"

namespace {

/// Round trips: count, sum, min, max (mergeable across threads).
struct Trips {
    uint64_t n = 0, sum = 0, lo = ~0ull, hi = 0;
    void add(uint64_t c) {
        ++n;
        sum += c;
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    void merge(const Trips& o) {
        n += o.n;
        sum += o.sum;
        lo = o.lo < lo ? o.lo : lo;
        hi = o.hi > hi ? o.hi : hi;
    }
    uint64_t count() const { return n; }
    uint64_t min() const { return n ? lo : 0; }
    uint64_t max() const { return hi; }
    uint64_t avg() const { return n ? sum / n : 0; }
};

constexpr unsigned MAX_CALLERS = 4;
constexpr int64_t ETIMEDOUT = 110;

/// What a worker thread does in a phase.
enum class Job : uint8_t { nops, read_silent, runs };

/// A call that keeps Linux busy long (a fork and an exec) and costs its caller little: Linux's
/// time on it, not what the caller runs, decides what a charged caller pays.
int64_t run_true() {
    char out[16];
    uint64_t len = 0;
    return vos::run("true", out, sizeof out, &len);
}

struct Worker {
    volatile uint64_t phase = 0; ///< bumped by the main thread: run the job once
    volatile uint64_t done = 0;  ///< set to phase when finished
    volatile bool exited = false;
    Job job = Job::nops;
    uint64_t calls = 0;
    uint64_t first = 0, gap = 0; ///< paced: call k starts at first + k * gap (gap 0: back to back)
    int64_t fd = -1;
    // Results of the last phase.
    Trips stats;
    uint64_t bad = 0, start = 0, end = 0;
    int64_t result = 0;
    int64_t vcpu = -1;
    alignas(16) uint8_t stack[16384];
};

Worker g_workers[MAX_CALLERS + 1]; // the last one: the tiny-budget caller
uint64_t g_hz = 0;
volatile bool g_quit = false; // the workers end (the run ends with the last thread)

void worker_main(void* arg) {
    auto* w = static_cast<Worker*>(arg);
    uint64_t seen = 0;
    for (;;) {
        // Every 5 ms: a look costs a wake-up (some 2,000 cycles), which the VCPU's budget must
        // pay for besides the calls; looks every 1 ms left the VCPUs in debt.
        while (w->phase == seen && !g_quit)
            vos::sleep_until(vos::now() + g_hz / 200);
        if (g_quit) {
            w->exited = true;
            return;
        }
        seen = w->phase;
        w->stats = Trips{};
        w->bad = 0;
        w->start = vos::now();
        if (w->job == Job::read_silent) {
            char buf[16];
            w->result = vos::read(w->fd, buf, sizeof buf);
        } else if (w->job == Job::runs) {
            for (uint64_t i = 0; i < w->calls; ++i)
                w->bad += run_true() != 0;
        } else {
            for (uint64_t i = 0; i < w->calls; ++i) {
                if (w->gap) vos::sleep_until(w->first + i * w->gap);
                uint64_t a = vos::now();
                w->bad += vos::delegate_nop() != 0;
                w->stats.add(vos::now() - a);
            }
        }
        w->end = vos::now();
        w->done = seen;
    }
}

bool start_worker(unsigned i, uint64_t budget, uint64_t period, unsigned cpu) {
    int64_t v = vos::vcpu_create(budget, period, cpu);
    if (v < 0) {
        vos::printf("delegbench: VCPU %u refused: %ld\n", i, v);
        return false;
    }
    Worker& w = g_workers[i];
    w.vcpu = v;
    return vos::thread_create(worker_main, &w, w.stack + sizeof w.stack, uint64_t(v)) >= 0;
}

/// Run workers [first, first + n) once and wait for them.
void run(unsigned first, unsigned n) {
    for (unsigned i = first; i < first + n; ++i)
        g_workers[i].phase = g_workers[i].phase + 1;
    for (unsigned i = first; i < first + n; ++i)
        while (g_workers[i].done != g_workers[i].phase)
            vos::sleep_until(vos::now() + g_hz / 1000);
}

/// Callers [first, first + n)'s null calls merged.
Trips merged(unsigned first, unsigned n, uint64_t& bad) {
    Trips all;
    bad = 0;
    for (unsigned i = first; i < first + n; ++i) {
        const Worker& w = g_workers[i];
        bad += w.bad;
        all.merge(w.stats);
    }
    return all;
}

void metric(const char* name, uint64_t v) {
    vos::printf("@@ metric=%s value=%lu unit=cycles\n", name, v);
}

/// Pace callers [first, first + n): their calls start together, one every @p gap cycles.
void pace(unsigned first, unsigned n, uint64_t calls, uint64_t gap) {
    uint64_t start = vos::now() + g_hz / 100;
    for (unsigned i = first; i < first + n; ++i) {
        g_workers[i].job = Job::nops;
        g_workers[i].calls = calls;
        g_workers[i].first = start;
        g_workers[i].gap = gap;
    }
}

Trips phase_nops(unsigned n, uint64_t calls, uint64_t gap, uint64_t& bad) {
    pace(0, n, calls, gap);
    run(0, n);
    return merged(0, n, bad);
}

bool blocked_test(uint64_t calls, uint64_t gap, uint64_t single_avg) {
    // A connected TCP pair on the slave's loopback; nobody writes to `conn`.
    int port = 7790;
    int64_t srv = vos::socket(1), cli = vos::socket(1);
    if (srv < 0 || cli < 0 || vos::bind(srv, port) < 0 || vos::listen(srv, 2) < 0 ||
        vos::connect(cli, port) < 0) {
        vos::report_test("delegation_concurrent_blocked", false, "the socket pair failed");
        return false;
    }
    int64_t conn = vos::accept(srv);
    g_workers[0].job = Job::read_silent;
    g_workers[0].fd = conn;
    g_workers[0].phase = g_workers[0].phase + 1;
    vos::sleep_until(vos::now() + g_hz / 50); // 20 ms: its read is in Linux by now
    pace(1, MAX_CALLERS - 1, calls, gap);
    run(1, MAX_CALLERS - 1);
    while (g_workers[0].done != g_workers[0].phase)
        vos::sleep_until(vos::now() + g_hz / 100);
    uint64_t bad = 0;
    Trips others = merged(1, MAX_CALLERS - 1, bad);
    const Worker& b = g_workers[0];
    bool before = true;
    for (unsigned i = 1; i < MAX_CALLERS; ++i)
        before &= g_workers[i].end < b.end;
    uint64_t blocked_ms = (b.end - b.start) * 1000 / g_hz;
    vos::printf("delegbench: blocked caller: read of a silent socket -> %ld after %lu ms; the "
                "other three: %lu calls, %lu wrong, round trip min %lu avg %lu max %lu cycles "
                "(one caller alone: avg %lu), all done before it: %s\n",
                b.result, blocked_ms, others.count(), bad, others.min(), others.avg(), others.max(),
                single_avg, before ? "yes" : "no");
    metric("deleg_blocked_others_avg", others.avg());
    metric("deleg_blocked_others_max", others.max());
    metric("deleg_single_avg", single_avg);
    bool pass = b.result == -ETIMEDOUT && bad == 0 && others.count() == calls * 3 && before &&
                others.avg() <= 4 * single_avg;
    vos::report_test("delegation_concurrent_blocked", pass);
    vos::close(conn);
    vos::close(cli);
    vos::close(srv);
    return pass;
}

bool budget_test(uint64_t calls, uint64_t period) {
    // What a call costs in Linux: measured in this (background) thread, which has no budget.
    uint64_t per_call = ~0ull;
    for (int i = 0; i < 3; ++i) {
        uint64_t a = vos::now();
        run_true();
        uint64_t c = vos::now() - a;
        per_call = c < per_call ? c : per_call;
    }
    Worker& w = g_workers[MAX_CALLERS];
    kern::abi::VcpuStatsAbi before{}, after{};
    bool stats = vos::syscall(kern::abi::SYS_VCPU_STATS, uint64_t(w.vcpu),
                              reinterpret_cast<uint64_t>(&before)) == 0;
    w.job = Job::runs;
    w.calls = calls;
    w.gap = 0;
    run(MAX_CALLERS, 1);
    stats = stats && vos::syscall(kern::abi::SYS_VCPU_STATS, uint64_t(w.vcpu),
                                  reinterpret_cast<uint64_t>(&after)) == 0;
    uint64_t budget = period / 10, elapsed = w.end - w.start;
    uint64_t charged = after.delegated_charged - before.delegated_charged;
    // At 10% a VCPU charged `charged` cycles needs (charged - budget) / budget periods at least:
    // the first budget is there at once, the rest comes back one period after it was used.
    uint64_t need = charged > budget ? (charged - budget) / budget * period : 0;
    vos::printf("delegbench: a caller with 10%% of a %lu-cycle period: %lu RUN calls (%lu cycles "
                "each, unbudgeted) in %lu cycles (%lu wrong); Linux's time charged to it: %lu "
                "cycles, which its budget allows in no less than %lu\n",
                period, calls, per_call, elapsed, w.bad, charged, need);
    metric("deleg_budget_elapsed", elapsed);
    metric("deleg_budget_charged", charged);
    metric("deleg_budget_floor", need);
    // Charged: Linux's CPU time on a fork and an exec is much of a RUN's round trip (at least a
    // tenth of it here; uncharged, nothing), and the calls cannot finish before the budget has
    // paid for it (within a tenth: a period boundary's rounding).
    bool pass =
        stats && w.bad == 0 && charged >= calls * per_call / 10 && elapsed >= need - need / 10;
    vos::report_test("delegation_budget_charged", pass);
    return pass;
}

/// End the workers: the process ends with its last thread.
void finish() {
    g_quit = true;
    for (Worker& w : g_workers)
        while (w.vcpu >= 0 && !w.exited)
            vos::sleep_until(vos::now() + g_hz / 100);
}

} // namespace

int concurrent_main(const char* args) {
    g_hz = vos::tsc_hz();
    uint64_t calls = vos::arg_u64(args, "calls", 50);
    unsigned cpu = unsigned(vos::arg_u64(args, "cpu", 0));
    unsigned most = unsigned(vos::arg_u64(args, "concurrent", MAX_CALLERS));
    most = most < 1 ? 1 : most > MAX_CALLERS ? MAX_CALLERS : most;
    bool blocked = vos::arg_flag(args, "blocked"), budget = vos::arg_flag(args, "budget");
    uint64_t period = g_hz / 100; // 10 ms
    uint64_t gap = vos::arg_u64(args, "gap_us", 10000) * (g_hz / 1000000);
    unsigned needed = blocked ? MAX_CALLERS : most;
    bool started = true;
    for (unsigned i = 0; i < needed && started; ++i)
        started = start_worker(i, period * vos::arg_u64(args, "budget_pct", 12) / 100, period, cpu);
    if (budget && started) started = start_worker(MAX_CALLERS, period / 10, period, cpu);
    if (!started) {
        finish();
        return 2;
    }
    // Waits for the daemon (Linux boots first), then lets the slave's start-up finish. From a
    // worker: in babysat mode only threads of the slave's CPU can delegate.
    g_workers[0].job = Job::nops;
    g_workers[0].calls = 1;
    g_workers[0].gap = 0;
    run(0, 1);
    if (g_workers[0].bad) {
        vos::printf("delegbench: the first call failed\n");
        finish();
        return 2;
    }
    vos::sleep_until(vos::now() + vos::arg_u64(args, "settle_ms", 3000) * (g_hz / 1000));
    bool ok = true;
    uint64_t single_avg = 0;
    for (unsigned n = 1; n <= most; n *= 2) {
        uint64_t bad = 0;
        Trips s = phase_nops(n, calls, gap, bad);
        if (n == 1) single_avg = s.avg();
        vos::printf("  %u caller(s) at once: null call min %lu avg %lu max %lu cycles, %lu calls, "
                    "%lu wrong\n",
                    n, s.min(), s.avg(), s.max(), s.count(), bad);
        char name[40];
        const char* parts[] = {"min", "avg", "max"};
        uint64_t vals[] = {s.min(), s.avg(), s.max()};
        for (int k = 0; k < 3; ++k) {
            kern::snformat(name, sizeof name, "deleg_nop_c%u_%s", n, parts[k]);
            metric(name, vals[k]);
        }
        ok &= bad == 0;
        kern::abi::VcpuStatsAbi vs{};
        vos::syscall(kern::abi::SYS_VCPU_STATS, uint64_t(g_workers[0].vcpu),
                     reinterpret_cast<uint64_t>(&vs));
        vos::printf("  caller 0's VCPU so far: %lu cycles consumed, %lu overruns, %lu delegated "
                    "calls waited %lu cycles\n",
                    vs.consumed, vs.overruns, vs.delegated_calls, vs.delegated_wait);
    }
    if (blocked) ok &= blocked_test(calls, gap, single_avg);
    if (budget) ok &= budget_test(vos::arg_u64(args, "budget_calls", 10), period);
    finish();
    return ok ? 0 : 1;
}
