// Time: the TSC as the kernel's clock, calibrated at boot against the ACPI PM timer (or the PIT
// when there is none), and the LAPIC timer's rate measured against the TSC.
//
// Never trust CPUID leaves 0x15/0x16 for this: Bochs reports ~3.5 GHz there while its TSC ticks
// at its `ips` rate (instructions per emulated second). Always measure.
#pragma once

#include <stdint.h>

namespace kern {

/// The reference clock a calibration used.
enum class ClockSource { none, pm_timer, pit };

/// Results of calibration.
struct ClockInfo {
    uint64_t tsc_hz = 0;                    ///< TSC ticks per second
    uint64_t lapic_timer_hz = 0;            ///< LAPIC timer ticks per second at divide-by-1
    ClockSource source = ClockSource::none; ///< what the TSC was measured against
    bool invariant_tsc = false;             ///< CPUID.80000007H:EDX[8]: the TSC rate never changes
};

/// The calibrated clocks (valid after clock_init()).
extern ClockInfo g_clock;

/// Calibrate the TSC against the PM timer at I/O port `pm_port` (`pm_32bit`: TMR_VAL_EXT), or
/// against PIT channel 2 when `pm_port` is 0; then the LAPIC timer against the TSC.
void clock_init(uint16_t pm_port, bool pm_32bit);
/// Busy-wait `us` microseconds on the TSC (before calibration: a rough 1 GHz guess).
void udelay(uint64_t us);
/// TSC ticks to nanoseconds.
uint64_t tsc_to_ns(uint64_t ticks);
/// Name of a clock source, for messages.
const char* clock_source_name(ClockSource s);

} // namespace kern
