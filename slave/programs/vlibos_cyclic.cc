// vlibos-cyclic: wakeup latency of a periodic thread inside the Linux slave, after cyclictest
// (rt-tests): sleep until an absolute time with clock_nanosleep(TIMER_ABSTIME), then measure how
// late the wakeup was. The master's rtlat does the same on the master (apps/rtlat), so the two
// can be set side by side (tools/slave_bench.py).
//
//   vlibos-cyclic [period_us=10000] [loops=500]
//
// Prints min/avg/max in ns and one "@@ metric" style summary line the bench parses:
//   cyclic: period 10000 us, 500 loops: latency min 1200 avg 1800 max 4500 ns
#include "programs.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <time.h>

namespace {
constexpr int64_t NS = 1000000000;

int64_t ns_of(const timespec& t) {
    return int64_t(t.tv_sec) * NS + t.tv_nsec;
}
timespec ts_of(int64_t ns) {
    return timespec{time_t(ns / NS), long(ns % NS)};
}

} // namespace

int cyclic_main(int argc, char** argv) {
    long period_us = program_arg(argc, argv, "period_us", 10000);
    long loops = program_arg(argc, argv, "loops", 500);
    if (period_us <= 0 || loops <= 0) {
        std::fprintf(stderr, "usage: vlibos-cyclic [period_us=N] [loops=N]\n");
        return 64;
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t next = ns_of(now) + period_us * 1000;
    int64_t min = INT64_MAX, max = 0, sum = 0;
    for (long i = 0; i < loops; ++i) {
        timespec t = ts_of(next);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr);
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t lat = ns_of(now) - next;
        min = lat < min ? lat : min;
        max = lat > max ? lat : max;
        sum += lat;
        next += period_us * 1000;
    }
    std::printf("cyclic: period %ld us, %ld loops: latency min %lld avg %lld max %lld ns\n",
                period_us, loops, (long long)min, (long long)(sum / loops), (long long)max);
    return 0;
}
