// Wakeup-latency statistics, cyclictest-style: min, max, average and a log2 histogram of
// samples in TSC cycles. Pure: used by rtlat (a master application) and by in-kernel tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Accumulates latency samples.
class LatencyStats {
  public:
    /// Histogram buckets: bucket 0 holds 0, bucket k (k >= 1) holds [2^(k-1), 2^k).
    static constexpr size_t BUCKETS = 40;

    /// Add one sample (cycles).
    void add(uint64_t cycles);
    /// Samples so far.
    uint64_t count() const { return m_count; }
    /// Smallest sample, 0 if none.
    uint64_t min() const { return m_count ? m_min : 0; }
    /// Largest sample.
    uint64_t max() const { return m_max; }
    /// Mean, rounded down, 0 if none.
    uint64_t avg() const { return m_count ? m_sum / m_count : 0; }
    /// Samples in bucket `b`.
    uint64_t bucket(size_t b) const { return b < BUCKETS ? m_buckets[b] : 0; }
    /// Lower bound of bucket `b` in cycles.
    static uint64_t bucket_low(size_t b) { return b == 0 ? 0 : uint64_t(1) << (b - 1); }
    /// The bucket a value falls in.
    static size_t bucket_of(uint64_t cycles);

  private:
    uint64_t m_count = 0, m_sum = 0, m_min = UINT64_MAX, m_max = 0;
    uint64_t m_buckets[BUCKETS] = {};
};

} // namespace kern
