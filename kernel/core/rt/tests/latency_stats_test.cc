#include "core/rt/latency_stats.h"

#include <catch2/catch.hpp>

using kern::LatencyStats;

TEST_CASE("latency statistics and log2 buckets") {
    LatencyStats s;
    CHECK(s.min() == 0);
    CHECK(s.avg() == 0);
    for (uint64_t v : {0, 1, 2, 3, 4, 100, 1000})
        s.add(v);
    CHECK(s.count() == 7);
    CHECK(s.min() == 0);
    CHECK(s.max() == 1000);
    CHECK(s.avg() == 1110 / 7);
    CHECK(s.bucket(0) == 1);  // 0
    CHECK(s.bucket(1) == 1);  // 1
    CHECK(s.bucket(2) == 2);  // 2, 3
    CHECK(s.bucket(3) == 1);  // 4
    CHECK(s.bucket(7) == 1);  // 100 in [64, 128)
    CHECK(s.bucket(10) == 1); // 1000 in [512, 1024)
    CHECK(LatencyStats::bucket_low(10) == 512);
    CHECK(LatencyStats::bucket_of(~0ull) == LatencyStats::BUCKETS - 1);
}
