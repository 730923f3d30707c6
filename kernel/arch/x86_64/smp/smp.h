// Starting the application processors (APs) and talking to them with IPIs.
#pragma once

#include "core/arch/vectors.h" // IPI_PING, IPI_HALT
#include "core/result.h"

#include <stdint.h>

namespace kern {

namespace acpi {
struct MadtInfo;
}

/// Start every enabled CPU in `madt` except the caller, at most `max_cpus` CPUs in total.
/// Reports each CPU as it comes online; a CPU that does not answer is reported and skipped.
/// Returns the number of CPUs online afterwards (including the BSP).
unsigned smp_start_aps(const acpi::MadtInfo& madt, unsigned max_cpus);

/// Wake the AP with local APIC id `apic_id` with the INIT-SIPI-SIPI sequence (lab 2). The AP
/// starts at physical `trampoline_page << 12` in real mode and sets `*online` once it runs
/// kernel code. Waits up to `timeout_us` for that.
Result<void> start_ap(uint32_t apic_id, uint8_t trampoline_page, const volatile bool* online,
                      uint64_t timeout_us);

/// Let every AP start its scheduler (after the BSP's sched_init_cpu()) and wait until they have.
void smp_start_schedulers();

/// Send IPI_PING to the CPU with index `cpu` and wait for its answer; returns the round trip in
/// TSC ticks, or an error if it did not answer within `timeout_us`.
Result<uint64_t> smp_ping(unsigned cpu, uint64_t timeout_us);

} // namespace kern
