// Lab 2: timer calibration arithmetic.
//
// The kernel measures an unknown clock (the TSC, or the LAPIC timer) against a reference of
// known frequency (the ACPI PM timer, 3.579545 MHz, or the PIT): it reads both, waits, reads
// both again, and calls these functions with the differences. See core/time/calibrate.h for
// each function's contract.
//
// Pitfalls you must handle:
//  - the PM timer is only 24 bits wide on many machines (FADT flag TMR_VAL_EXT clear), so it
//    wraps every 4.7 s; `end` may be smaller than `start`;
//  - ticks * ref_hz overflows 64 bits for a few seconds of a 3 GHz TSC: split the
//    multiplication (quotient and remainder of ticks / ref_ticks) instead of using 128-bit
//    division, which the freestanding kernel does not link (__udivti3 lives in libgcc).
#include "core/time/calibrate.h"

namespace kern {

uint64_t counter_delta(uint32_t start, uint32_t end, unsigned bits) {
    // TODO(lab2)
    (void)start;
    (void)end;
    (void)bits;
    return 0;
}

uint64_t frequency_from(uint64_t ticks, uint64_t ref_ticks, uint64_t ref_hz) {
    // TODO(lab2)
    (void)ticks;
    (void)ref_ticks;
    (void)ref_hz;
    return 0;
}

uint64_t median(uint64_t* samples, size_t n) {
    // TODO(lab2): sort (n is small: insertion sort is fine) and take the middle element.
    (void)n;
    return samples[0];
}

} // namespace kern
