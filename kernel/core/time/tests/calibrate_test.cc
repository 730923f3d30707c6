// Lab 2: calibration arithmetic.
#include "core/time/calibrate.h"

#include <catch2/catch.hpp>

using namespace kern;

TEST_CASE("counter_delta handles 24- and 32-bit wrap-around", "[lab2]") {
    CHECK(counter_delta(100, 350, 24) == 250);
    CHECK(counter_delta(0xFFFFF0, 0x10, 24) == 0x20);
    CHECK(counter_delta(0xFFFFFFF0u, 0x10, 32) == 0x20);
    CHECK(counter_delta(5, 5, 24) == 0);
    // Bits above the counter width (a 24-bit timer read through a 32-bit port) are ignored.
    CHECK(counter_delta(0xFF000010, 0xFF000030, 24) == 0x20);
}

TEST_CASE("frequency_from: exact for a 10 ms PM-timer window", "[lab2]") {
    // 3.5 GHz TSC over 35795 PM ticks (10.0 ms): 35,000,000 TSC ticks... up to rounding.
    uint64_t ref = 35795;
    uint64_t tsc = 3'500'000'000ull * ref / PM_TIMER_HZ;
    uint64_t hz = frequency_from(tsc, ref, PM_TIMER_HZ);
    CHECK(hz <= 3'500'000'000ull);
    CHECK(hz > 3'500'000'000ull - 200);
    CHECK(frequency_from(1000, 1000, 1193182) == 1193182);
    CHECK(frequency_from(1, 0, 5) == 0);
}

TEST_CASE("frequency_from does not overflow for long windows", "[lab2]") {
    // 100 s of a 4 GHz clock against the PM timer: ticks * ref_hz would be ~1.4e18 * 3.6e6.
    uint64_t ref_ticks = 100 * PM_TIMER_HZ;
    uint64_t ticks = 400'000'000'000ull;
    CHECK(frequency_from(ticks, ref_ticks, PM_TIMER_HZ) == 4'000'000'000ull);
    CHECK(frequency_from(1ull << 62, 1ull << 31, 1ull << 31) == 1ull << 62);
}

TEST_CASE("median picks the middle sample and ignores an outlier", "[lab2]") {
    uint64_t a[5] = {100, 101, 99, 5000, 100};
    CHECK(median(a, 5) == 100);
    uint64_t b[3] = {7, 3, 5};
    CHECK(median(b, 3) == 5);
    uint64_t c[1] = {42};
    CHECK(median(c, 1) == 42);
}
