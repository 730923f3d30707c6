// Timer calibration arithmetic: the pure part of measuring the TSC and LAPIC timer frequencies
// against a reference clock of known frequency (lab 2).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// The ACPI PM timer runs at 3.579545 MHz (ACPI 6.5, 4.8.3.3 "Power Management Timer").
inline constexpr uint64_t PM_TIMER_HZ = 3579545;
/// The 8254 PIT input clock (Intel 8254 datasheet; 1.193182 MHz on every PC).
inline constexpr uint64_t PIT_HZ = 1193182;

/// Ticks from `start` to `end` of a free-running up-counter that is `bits` wide (24 or 32 for
/// the PM timer), allowing for one wrap-around.
uint64_t counter_delta(uint32_t start, uint32_t end, unsigned bits);

/// Frequency in Hz of a clock that advanced `ticks` while a reference clock of `ref_hz`
/// advanced `ref_ticks`: ticks * ref_hz / ref_ticks, rounded down, computed without
/// overflowing 64 bits for any ticks < 2^63 and ref_hz, ref_ticks < 2^32. Returns 0 if
/// ref_ticks is 0.
uint64_t frequency_from(uint64_t ticks, uint64_t ref_ticks, uint64_t ref_hz);

/// The median of `n` samples (n >= 1); `samples` may be reordered. Robust against one outlier
/// (an SMI or emulator hiccup during one measurement).
uint64_t median(uint64_t* samples, size_t n);

} // namespace kern
