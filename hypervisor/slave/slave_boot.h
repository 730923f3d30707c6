// What the slave booted by `slave=linux` (slave_boot.cc) leaves for the checks made after the
// run: its first boot's result. The lab 7 and FPU verdicts (hypervisor/test/slave_checks.cc)
// read it here; slave_boot.cc itself only reports what happened.
#pragma once

#include "core/boot/multiboot2.h"
#include "hypervisor/slave/linux_slave.h"

namespace hv {

/// The slave's first boot, once it has ended; nullptr if it never booted (not started, or
/// still running).
const SlaveResult* linux_slave_first_boot();

/// Why there is no first boot, for a failed check's reason (a static string): the error that
/// kept the slave from starting, or a pointer to the `slave:` lines.
const char* linux_slave_not_booted_reason();

/// The boot module named @p name ("slave-kernel", "slave-initrd"), nullptr if there is none.
const kern::BootModule* linux_slave_module(const char* name);

} // namespace hv
