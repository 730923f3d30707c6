// delegbench: the round trip of delegated calls to the Linux slave, in TSC cycles: a null call
// (SYS_DELEGATE_NOP: the channel's own cost) and a 4 KiB read (data through a bulk buffer).
// tools/deleg_bench.py runs it under each way of waiting (libos=spin|poll|doorbell) and counts
// the slave's VM exits per call from two runs.
//
// Arguments: calls=N (default 200; 0 = only connect), settle_ms=M (default 3000: wait after
// connecting, so that the slave's own start-up, its init script's programs, is over before
// the measurement and counts the same in every run)
//
// The first null call after the settling time is reported on its own (deleg_cold): the cost of
// a call that finds vlibosd idle (asleep, or between two polls), which the N calls that follow
// it back to back do not see.
#include "concurrent.h"
#include "core/rt/latency_stats.h"
#include "vos.h"

namespace {
alignas(64) uint8_t g_buf[4096];

void print(const char* what, const kern::LatencyStats& s) {
    vos::printf("  %s: min %lu avg %lu max %lu cycles, %lu calls\n", what, s.min(), s.avg(),
                s.max(), s.count());
    vos::printf("@@ metric=%s_min value=%lu unit=cycles\n", what, s.min());
    vos::printf("@@ metric=%s_avg value=%lu unit=cycles\n", what, s.avg());
    vos::printf("@@ metric=%s_max value=%lu unit=cycles\n", what, s.max());
}

int bench(const char* args);
const char* g_args;
volatile int g_status = -1;
alignas(16) uint8_t g_stack[16384];
void worker(void*) {
    g_status = bench(g_args);
}
} // namespace

/// cpu=C runs the benchmark in a thread of CPU C (with libos=babysat, the slave's CPU);
/// concurrent=N, blocked or budget run concurrent.cc's callers instead.
int app_main(const char* args) {
    if (vos::arg_flag(args, "concurrent") || vos::arg_flag(args, "blocked") ||
        vos::arg_flag(args, "budget"))
        return concurrent_main(args);
    if (!vos::arg_flag(args, "cpu")) return bench(args);
    g_args = args;
    int64_t vcpu = vos::vcpu_create(vos::tsc_hz() / 100 * 9 / 10, vos::tsc_hz() / 100,
                                    unsigned(vos::arg_u64(args, "cpu", 0))); // 90% of 10 ms
    if (vcpu < 0 ||
        vos::thread_create(worker, nullptr, g_stack + sizeof g_stack, uint64_t(vcpu)) < 0)
        return 2;
    while (g_status < 0)
        vos::sleep_until(vos::now() + vos::tsc_hz() / 100);
    return g_status;
}

namespace {
int bench(const char* args) {
    uint64_t calls = vos::arg_u64(args, "calls", 200);
    const char* path = "/tmp/delegbench.dat";
    int64_t fd =
        vos::open(path, vos::O_RDWR | vos::O_CREAT | vos::O_TRUNC, 0644); // waits for the daemon
    if (fd < 0) {
        vos::printf("delegbench: open failed: %ld\n", fd);
        return 2;
    }
    for (size_t i = 0; i < sizeof g_buf; ++i)
        g_buf[i] = uint8_t(i * 13);
    if (vos::write(fd, g_buf, sizeof g_buf) != int64_t(sizeof g_buf)) {
        vos::printf("delegbench: write failed\n");
        return 2;
    }
    uint64_t hz = vos::tsc_hz();
    vos::sleep_until(vos::now() + vos::arg_u64(args, "settle_ms", 3000) * (hz / 1000));
    kern::LatencyStats nop, rd;
    uint64_t bad = 0;
    if (calls) {
        uint64_t a = vos::now();
        bad += vos::delegate_nop() != 0;
        uint64_t cold = vos::now() - a;
        vos::printf("  deleg_cold: the first call after %lu ms idle: %lu cycles\n",
                    vos::arg_u64(args, "settle_ms", 3000), cold);
        vos::printf("@@ metric=deleg_cold value=%lu unit=cycles\n", cold);
    }
    for (uint64_t i = 0; i < calls; ++i) {
        uint64_t a = vos::now();
        bad += vos::delegate_nop() != 0;
        nop.add(vos::now() - a);
    }
    for (uint64_t i = 0; i < calls; ++i) {
        vos::lseek(fd, 0, 0);
        uint64_t a = vos::now();
        int64_t n = vos::read(fd, g_buf, sizeof g_buf);
        rd.add(vos::now() - a);
        bad += n != int64_t(sizeof g_buf) || g_buf[4095] != uint8_t(4095 * 13);
    }
    vos::close(fd);
    vos::printf("delegbench: %lu null calls and %lu 4 KiB reads, %lu wrong results\n", calls, calls,
                bad);
    if (calls) {
        print("deleg_nop", nop);
        print("deleg_read4k", rd);
    }
    return bad ? 1 : 0;
}
} // namespace
