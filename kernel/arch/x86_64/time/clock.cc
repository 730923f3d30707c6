#include "arch/x86_64/time/clock.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/vectors.h"
#include "core/time/calibrate.h"

namespace kern {

ClockInfo g_clock;

namespace {
constexpr int SAMPLES = 5;
constexpr uint64_t WINDOW_US = 10000; // each sample spans 10 ms of the reference clock

/// Measure TSC ticks over ~10 ms of the PM timer (ACPI 4.8.3.3: a free-running 3.58 MHz counter).
uint64_t tsc_hz_by_pm_timer(uint16_t port, bool is_32bit) {
    unsigned bits = is_32bit ? 32 : 24;
    uint64_t want = PM_TIMER_HZ * WINDOW_US / 1000000;
    uint32_t p0 = cpu::inl(port);
    uint64_t t0 = cpu::rdtsc();
    uint32_t p1;
    uint64_t t1;
    // Bounded: a broken counter_delta (or a dead timer) must not hang the boot. 10 ms takes
    // ~10^4 iterations on real hardware and in the emulators.
    for (uint64_t spins = 0;; ++spins) {
        p1 = cpu::inl(port);
        t1 = cpu::rdtsc();
        if (counter_delta(p0, p1, bits) >= want) break;
        if (spins > 5000000) return 0;
    }
    return frequency_from(t1 - t0, counter_delta(p0, p1, bits), PM_TIMER_HZ);
}

/// Measure TSC ticks while PIT channel 2 counts down ~10 ms in mode 0 (8254 datasheet): its
/// OUT pin, readable as bit 5 of port 0x61, goes high at terminal count.
uint64_t tsc_hz_by_pit() {
    uint16_t latch = uint16_t(PIT_HZ * WINDOW_US / 1000000);
    cpu::outb(0x61, uint8_t((cpu::inb(0x61) & ~0x02) | 0x01)); // gate on, speaker off
    cpu::outb(0x43, 0xB0);                                     // channel 2, lo/hi byte, mode 0
    cpu::outb(0x42, uint8_t(latch));
    cpu::outb(0x42, uint8_t(latch >> 8));
    uint64_t t0 = cpu::rdtsc();
    for (uint64_t spins = 0; !(cpu::inb(0x61) & 0x20); ++spins)
        if (spins > 100000000) return 0; // no PIT
    return frequency_from(cpu::rdtsc() - t0, latch, PIT_HZ);
}

/// LAPIC timer ticks per second: count down from the maximum for 10 ms of TSC time.
uint64_t lapic_hz_by_tsc() {
    lapic::write(lapic::TIMER_DIVIDE, lapic::TIMER_DIVIDE_BY_1);
    // Masked: count without interrupting.
    lapic::write(lapic::LVT_TIMER, lapic::LVT_MASKED | VEC_CALIBRATION);
    lapic::write(lapic::TIMER_INITIAL_COUNT, 0xFFFFFFFF);
    uint64_t t0 = cpu::rdtsc();
    uint64_t window = g_clock.tsc_hz / 100;
    while (cpu::rdtsc() - t0 < window)
        cpu::pause();
    uint32_t remaining = lapic::read(lapic::TIMER_CURRENT_COUNT);
    uint64_t elapsed = cpu::rdtsc() - t0;
    lapic::write(lapic::TIMER_INITIAL_COUNT, 0);
    return frequency_from(0xFFFFFFFFull - remaining, elapsed, g_clock.tsc_hz);
}
} // namespace

void clock_init(uint16_t pm_port, bool pm_32bit) {
    uint64_t samples[SAMPLES];
    g_clock.source = pm_port ? ClockSource::pm_timer : ClockSource::pit;
    for (auto& s : samples)
        s = pm_port ? tsc_hz_by_pm_timer(pm_port, pm_32bit) : tsc_hz_by_pit();
    g_clock.tsc_hz = median(samples, SAMPLES);
    g_clock.invariant_tsc = (cpu::cpuid(0x80000000).eax >= 0x80000007) &&
                            (cpu::cpuid(0x80000007).edx & x86::CPUID_80000007_EDX_INVARIANT_TSC);
    if (g_clock.tsc_hz) g_clock.lapic_timer_hz = lapic_hz_by_tsc();
}

void udelay(uint64_t us) {
    uint64_t hz = g_clock.tsc_hz ? g_clock.tsc_hz : 1000000000;
    uint64_t end = cpu::rdtsc() + frequency_from(us, 1000000, hz);
    while (cpu::rdtsc() < end)
        cpu::pause();
}

uint64_t tsc_to_ns(uint64_t ticks) {
    return g_clock.tsc_hz ? frequency_from(ticks, g_clock.tsc_hz, 1000000000) : 0;
}

const char* clock_source_name(ClockSource s) {
    switch (s) {
    case ClockSource::pm_timer:
        return "ACPI PM timer";
    case ClockSource::pit:
        return "PIT channel 2";
    case ClockSource::none:
        break;
    }
    return "none";
}

} // namespace kern
