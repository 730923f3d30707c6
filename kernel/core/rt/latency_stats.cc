#include "core/rt/latency_stats.h"

namespace kern {

size_t LatencyStats::bucket_of(uint64_t cycles) {
    size_t b = 0;
    while (cycles) { // 1 + floor(log2(cycles)) for cycles >= 1
        cycles >>= 1;
        ++b;
    }
    return b < BUCKETS ? b : BUCKETS - 1;
}

void LatencyStats::add(uint64_t cycles) {
    ++m_count;
    m_sum += cycles;
    m_min = cycles < m_min ? cycles : m_min;
    m_max = cycles > m_max ? cycles : m_max;
    ++m_buckets[bucket_of(cycles)];
}

} // namespace kern
