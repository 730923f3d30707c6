// Lab 2 solution: timer calibration arithmetic (contracts in core/time/calibrate.h).
#include "core/time/calibrate.h"

namespace kern {

uint64_t counter_delta(uint32_t start, uint32_t end, unsigned bits) {
    uint64_t mask = bits >= 32 ? 0xFFFFFFFFull : (uint64_t(1) << bits) - 1;
    // Modular subtraction handles one wrap-around: (end - start) mod 2^bits.
    return (uint64_t(end) - uint64_t(start)) & mask;
}

uint64_t frequency_from(uint64_t ticks, uint64_t ref_ticks, uint64_t ref_hz) {
    if (ref_ticks == 0) return 0;
    // ticks * ref_hz / ref_ticks = q * ref_hz + r * ref_hz / ref_ticks, with r < ref_ticks < 2^32,
    // so r * ref_hz < 2^64.
    uint64_t q = ticks / ref_ticks, r = ticks % ref_ticks;
    return q * ref_hz + r * ref_hz / ref_ticks;
}

uint64_t median(uint64_t* samples, size_t n) {
    for (size_t i = 1; i < n; ++i) {
        uint64_t v = samples[i];
        size_t j = i;
        for (; j > 0 && samples[j - 1] > v; --j)
            samples[j] = samples[j - 1];
        samples[j] = v;
    }
    return samples[n / 2];
}

} // namespace kern
