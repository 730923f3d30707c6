// What the boot stages learned about the machine, for the stages and tests after them.
#pragma once

#include "core/acpi/madt.h"
#include "core/acpi/tables.h"
#include "core/boot/cmdline.h"
#include "core/boot/multiboot2.h"

namespace kern {

extern BootInfo g_boot;        ///< the multiboot2 information (main.cc)
extern CommandLine g_cmdline;  ///< the kernel command line (main.cc)
extern acpi::MadtInfo g_madt;  ///< CPUs and IOAPICs from ACPI (interrupts stage)
extern acpi::FadtInfo g_fadt;  ///< PM timer port and flags (interrupts stage)
extern uint64_t g_tsc_at_main; ///< TSC on entry to kernel_main: boot cost so far

} // namespace kern
