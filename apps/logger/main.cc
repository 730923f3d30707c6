// logger: the vLibOS demo. A real-time thread samples at a fixed period; a second real-time
// thread logs the samples to a file in the Linux slave through delegation (the master has no
// file system). The sampler meets every deadline whatever Linux does: it never waits for Linux,
// it hands its samples to the writer through a ring. The writer's delegated writes run on the
// writer's own budget. Then the file is read back through the same channel and checked, and the
// delegated calls' round trips are printed.
//
// Arguments (module string after "logger"), all optional:
//   period_us=P   sampling period (default 20000: 20 ms); the writer's period is 2P
//   samples=N     samples to take (default 100)
//   budget_pct=B  the writer's VCPU budget, % of its period (default 40); the sampler has 10%
//   cpu=C         CPU of both VCPUs (default 0)
//   file=PATH     where the log goes in Linux (default /tmp/vlibos-samples.log)
//   nops=N        null calls to time after the run (default 50)
//   hostile       then replace vlibosd with a hostile one (vlibos-attack channel) and check that
//                 its lies end each call with an error, in time, without touching master memory
//
// The sampler misses a deadline when it has not run by its next release; a sample the ring has
// no room for is lost (a write error). Prints what it found and round-trip metrics in cycles,
// and exits with status 0 if every sample was written, none missed its release and (hostile)
// every lie was refused. The lab 8 verdicts on a run are made by its test part
// (test/lab8_checks.cc), which the logger hands its result (logger.h).
#include "core/format.h"
#include "core/rt/latency_stats.h"
#include "logger.h"
#include "vos.h"

namespace logger {
namespace {
void (*g_on_result)(const Result&);
} // namespace

void on_result(void (*fn)(const Result&)) {
    g_on_result = fn;
}
} // namespace logger

namespace {
/// Hand the run's result on, if a test part asked for it.
void tell(const logger::Result& r) {
    if (logger::g_on_result) logger::g_on_result(r);
}

constexpr size_t STACK = 16384;
alignas(16) uint8_t g_stack[STACK];
constexpr size_t PATH = 128;

alignas(16) uint8_t g_sampler_stack[STACK];

/// One sample, on its way from the sampler to the writer.
struct Sample {
    uint64_t k, tsc, late;
};

struct Sampler {
    int64_t vcpu;         // the writer's VCPU (the worker thread's)
    int64_t sampler_vcpu; // the sampler's
    int64_t fd;
    uint64_t period, samples;
    uint64_t misses, write_errors;
    kern::LatencyStats wake; // release -> running
    kern::LatencyStats call; // one delegated write, round trip
    kern::LatencyStats lag;  // sample taken -> its line written in Linux
    // The ring between them: the sampler writes `head`, the writer `tail`.
    static constexpr uint64_t RING = 1024;
    Sample ring[RING];
    volatile uint64_t head, tail;
    volatile bool done;
};
Sampler g_s;

/// Format one log line: "sample 17 tsc=123456789 late=640\n".
size_t format_line(char* buf, size_t cap, uint64_t k, uint64_t tsc, uint64_t late) {
    return size_t(kern::snformat(buf, cap, "sample %lu tsc=%lu late=%lu\n", k, tsc, late));
}

/// The real-time sampler: sample at each release, hand the sample to the writer, never wait.
void sample(void*) {
    Sampler& s = g_s;
    uint64_t release = vos::now() + s.period;
    for (uint64_t k = 0; k < s.samples; ++k) {
        vos::sleep_until(release);
        uint64_t woke = vos::now();
        s.wake.add(woke - release);
        uint64_t head = s.head;
        if (head - __atomic_load_n(&s.tail, __ATOMIC_ACQUIRE) < Sampler::RING) {
            s.ring[head % Sampler::RING] = Sample{k, woke, woke - release};
            __atomic_store_n(&s.head, head + 1, __ATOMIC_RELEASE);
        } else {
            ++s.write_errors; // the writer fell a whole ring behind: the sample is lost
        }
        if (vos::now() > release + s.period) {
            ++s.misses;
            vos::syscall(kern::abi::SYS_REPORT_MISS, uint64_t(s.sampler_vcpu));
        }
        release += s.period;
    }
    s.done = true;
}

/// The writer: whatever samples are waiting go to Linux in one delegated write, until the
/// sampler is done and the ring is empty.
void write_samples() {
    Sampler& s = g_s;
    static char batch[8192];
    for (;;) {
        bool finished = s.done;
        uint64_t tail = s.tail, head = __atomic_load_n(&s.head, __ATOMIC_ACQUIRE);
        if (tail == head) {
            if (finished) return;
            vos::sleep_until(vos::now() + s.period);
            continue;
        }
        size_t n = 0;
        uint64_t oldest = s.ring[tail % Sampler::RING].tsc;
        for (; tail != head && n + 96 < sizeof batch; ++tail) {
            const Sample& x = s.ring[tail % Sampler::RING];
            n += format_line(batch + n, sizeof batch - n, x.k, x.tsc, x.late);
        }
        __atomic_store_n(&s.tail, tail, __ATOMIC_RELEASE);
        uint64_t t0 = vos::now();
        int64_t w = vos::write(s.fd, batch, n);
        uint64_t t1 = vos::now();
        s.call.add(t1 - t0);
        s.lag.add(t1 - oldest);
        if (w != int64_t(n)) ++s.write_errors;
    }
}

void copy_arg(const char* args, const char* key, char* out, size_t cap, const char* def) {
    size_t n = 0;
    const char* p = args;
    size_t klen = 0;
    while (key[klen])
        ++klen;
    for (; p && *p; ++p) {
        bool start = p == args || p[-1] == ' ';
        bool match = start;
        for (size_t i = 0; match && i < klen; ++i)
            match = p[i] == key[i];
        if (match && p[klen] == '=') {
            for (p += klen + 1; *p && *p != ' ' && n + 1 < cap; ++p)
                out[n++] = *p;
            out[n] = '\0';
            return;
        }
    }
    for (; def[n] && n + 1 < cap; ++n)
        out[n] = def[n];
    out[n] = '\0';
}

/// A call against the hostile daemon: it must fail with one of the errors a lie deserves, and
/// return within the master's per-call timeout (5 s) plus a margin.
bool expect_refused(const char* what, int64_t r, uint64_t cycles, uint64_t hz) {
    bool ok = (r == -71 /* EPROTO */ || r == -110 /* ETIMEDOUT */) && cycles < 7 * hz;
    vos::printf("logger: hostile daemon: %s -> %ld after %lu ms: %s\n", what, r, cycles * 1000 / hz,
                ok ? "refused, in time" : "NOT REFUSED");
    return ok;
}

bool hostile_phase(uint64_t hz) {
    char out[64];
    uint64_t out_len = 0;
    int64_t r = vos::run("(sleep 1; killall vlibosd; vlibos-attack channel) >/dev/kmsg 2>&1 &", out,
                         sizeof out, &out_len);
    vos::printf("logger: hostile daemon: replacing vlibosd (%ld)\n", r);
    vos::sleep_until(vos::now() + 3 * hz);
    // Guard bytes on both sides of the buffer a lying READ answer would like to overflow.
    static uint8_t guarded[64 + 128 + 64];
    for (uint8_t& b : guarded)
        b = 0xA5;
    bool ok = true;
    uint64_t t = vos::now();
    r = vos::read(3, guarded + 64, 128);
    ok &= expect_refused("read of 128 bytes answered with 0xffffffff bytes", r, vos::now() - t, hz);
    t = vos::now();
    r = vos::delegate_nop();
    ok &= expect_refused("null call answered as another call, then silence", r, vos::now() - t, hz);
    t = vos::now();
    r = vos::open("/etc/hostname", vos::O_RDONLY);
    ok &= expect_refused("open answered in another call's buffer", r, vos::now() - t, hz);
    t = vos::now();
    r = vos::delegate_nop();
    ok &= expect_refused("null call, then the response ring's head moved 1000 ahead", r,
                         vos::now() - t, hz);
    t = vos::now();
    r = vos::delegate_nop();
    ok &= expect_refused("a call on the corrupted ring", r, vos::now() - t, hz);
    bool guards = true;
    for (size_t i = 0; i < sizeof guarded; ++i)
        guards &= guarded[i] == 0xA5;
    vos::printf("logger: hostile daemon: the master's buffer and its guard bytes %s\n",
                guards ? "are untouched" : "WERE WRITTEN");
    ok &= guards;
    return ok;
}

void print_stats(const char* what, const kern::LatencyStats& st, uint64_t hz) {
    vos::printf("  %s: min %lu avg %lu max %lu cycles (max %lu us), %lu samples\n", what, st.min(),
                st.avg(), st.max(), st.max() * 1000000 / hz, st.count());
}

const char* g_args;
volatile int g_status = -1;
int run(const char* args);
void worker(void*) {
    g_status = run(g_args);
}
} // namespace

/// Everything runs in one thread on the sampler's VCPU and CPU: with libos=babysat only threads
/// of the slave's CPU can run the slave, so the opens and reads around the sampling go there too.
int app_main(const char* args) {
    uint64_t hz = vos::tsc_hz();
    uint64_t period = vos::arg_u64(args, "period_us", 20000) * hz / 1000000;
    g_s.period = period;
    int64_t vcpu = vos::vcpu_create(2 * period * vos::arg_u64(args, "budget_pct", 40) / 100,
                                    2 * period, unsigned(vos::arg_u64(args, "cpu", 0)));
    if (vcpu < 0) {
        vos::printf("logger: VCPU refused: %ld\n", vcpu);
        return 2;
    }
    g_s.vcpu = vcpu;
    g_args = args;
    if (vos::thread_create(worker, nullptr, g_stack + STACK, uint64_t(vcpu)) < 0) return 2;
    while (g_status < 0)
        vos::sleep_until(vos::now() + period);
    return g_status;
}

namespace {
int run(const char* args) {
    uint64_t hz = vos::tsc_hz();
    Sampler& s = g_s;
    s.samples = vos::arg_u64(args, "samples", 100);
    uint64_t budget_pct = vos::arg_u64(args, "budget_pct", 40);
    unsigned cpu = unsigned(vos::arg_u64(args, "cpu", 0));
    uint64_t nops = vos::arg_u64(args, "nops", 50);
    char path[PATH];
    copy_arg(args, "file", path, sizeof path, "/tmp/vlibos-samples.log");

    // The first delegated call waits for Linux and vlibosd to come up.
    vos::printf("logger: waiting for the Linux slave's daemon...\n");
    uint64_t t0 = vos::now();
    s.fd = vos::open(path, vos::O_WRONLY | vos::O_CREAT | vos::O_TRUNC, 0644);
    if (s.fd < 0) {
        vos::printf("logger: open(%s) in the slave failed: %ld\n", path, s.fd);
        logger::Result r{};
        r.stage = logger::Stage::open_failed;
        r.file = path;
        r.open_status = s.fd;
        r.samples = s.samples;
        tell(r);
        return 2;
    }
    vos::printf("logger: %s open in Linux (fd %ld) after %lu ms\n", path, s.fd,
                (vos::now() - t0) * 1000 / hz);
    s.sampler_vcpu = vos::vcpu_create(s.period / 10, s.period, cpu);
    if (s.sampler_vcpu < 0 || vos::thread_create(sample, nullptr, g_sampler_stack + STACK,
                                                 uint64_t(s.sampler_vcpu)) < 0) {
        vos::printf("logger: no real-time sampler (VCPU %ld)\n", s.sampler_vcpu);
        return 2;
    }
    vos::printf(
        "logger: sampling every %lu us on CPU %u, %lu samples; the writer (budget %lu%% of %lu us) "
        "writes them to Linux\n",
        s.period * 1000000 / hz, cpu, s.samples, budget_pct, 2 * s.period * 1000000 / hz);
    write_samples();
    vos::close(s.fd);

    // Read the file back through the channel and check every line.
    int64_t fd = vos::open(path, vos::O_RDONLY);
    static char data[256 * 1024];
    size_t total = 0;
    for (int64_t n; fd >= 0 && total < sizeof data &&
                    (n = vos::read(fd, data + total, sizeof data - total)) > 0;)
        total += size_t(n);
    if (fd >= 0) vos::close(fd);
    uint64_t lines = 0;
    for (size_t i = 0; i < total; ++i)
        lines += data[i] == '\n';
    kern::abi::StatAbi st{};
    int64_t sr = vos::stat(path, &st);
    vos::printf("logger: read back %lu bytes, %lu lines (stat: %ld, size %lu)\n", total, lines, sr,
                st.size);
    if (lines) {
        size_t last = total - 1;
        while (last > 0 && data[last - 1] != '\n')
            --last;
        vos::printf("logger: last line: %.*s", int(total - last), data + last);
    }

    // The channel's own cost: null calls.
    kern::LatencyStats nop;
    for (uint64_t i = 0; i < nops; ++i) {
        uint64_t a = vos::now();
        vos::delegate_nop();
        nop.add(vos::now() - a);
    }
    char out[128];
    uint64_t out_len = 0;
    int64_t status =
        vos::run("uname -sr; wc -l < /tmp/vlibos-samples.log", out, sizeof out - 1, &out_len);
    out[out_len] = '\0';
    vos::printf("logger: ran `uname -sr; wc -l` in Linux: status %ld, output: %s", status, out);

    vos::printf("logger: %lu samples, %lu deadline misses, %lu write errors\n", s.samples, s.misses,
                s.write_errors);
    kern::abi::VcpuStatsAbi vs{};
    if (vos::syscall(kern::abi::SYS_VCPU_STATS, uint64_t(s.vcpu),
                     reinterpret_cast<uint64_t>(&vs)) == 0)
        vos::printf("logger: the writer's VCPU ran %lu cycles (with libos=babysat, the slave's "
                    "work included) and "
                    "waited %lu cycles for %lu delegated calls\n",
                    vs.consumed, vs.delegated_wait, vs.delegated_calls);
    print_stats("wakeup latency", s.wake, hz);
    print_stats("delegated write of a batch (round trip)", s.call, hz);
    print_stats("sample taken -> written in Linux", s.lag, hz);
    print_stats("delegated null call (round trip)", nop, hz);
    vos::printf("@@ metric=delegation_write_max value=%lu unit=cycles\n", s.call.max());
    vos::printf("@@ metric=delegation_write_avg value=%lu unit=cycles\n", s.call.avg());
    vos::printf("@@ metric=delegation_nop_min value=%lu unit=cycles\n", nop.min());
    vos::printf("@@ metric=delegation_nop_avg value=%lu unit=cycles\n", nop.avg());
    vos::printf("@@ metric=delegation_nop_max value=%lu unit=cycles\n", nop.max());
    logger::Result r{};
    r.stage = logger::Stage::logged;
    r.file = path;
    r.open_status = s.fd;
    r.samples = s.samples;
    r.misses = s.misses;
    r.write_errors = s.write_errors;
    r.lines = lines;
    r.bytes = total;
    r.stat_status = sr;
    r.stat_size = st.size;
    tell(r);
    bool writes_ok =
        s.write_errors == 0 && lines == s.samples && uint64_t(sr == 0 ? st.size : 0) == total;
    bool hostile_ok = true;
    if (vos::arg_flag(args, "hostile")) {
        hostile_ok = hostile_phase(hz);
        r.stage = logger::Stage::hostile_done;
        r.hostile_contained = hostile_ok;
        tell(r);
    }
    return writes_ok && s.misses == 0 && hostile_ok ? 0 : 1;
}
} // namespace
