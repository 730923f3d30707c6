// Turning VMX on for a CPU (SDM Vol 3C 24.6 "Discovering Support for VMX", 24.7 "Enabling and
// Entering VMX Operation", 24.8 "Restrictions on VMX Operation").
#pragma once

#include "core/result.h"
#include "hypervisor/core/vmx_on.h"

#include <stdint.h>

namespace hv {

/// VMX root operation on the calling CPU: vmx_on() (core/vmx_on.h, lab 5 step 1) with this CPU's
/// instructions, then CR4.OSXSAVE for the guests' XSETBV. Once on, later calls do nothing. On
/// failure the Error names what is missing.
kern::Result<void> vmx_enable_cpu();
/// True once vmx_enable_cpu() succeeded on the calling CPU.
bool vmx_enabled();
/// The capability MSRs of the calling CPU (valid after vmx_enable_cpu()).
const VmxMsrs& vmx_msrs();
/// The calling CPU's instructions behind VmxOps (core/vmx_ops.h), for the pure VMX code.
VmxOps& this_cpu_vmx_ops();

} // namespace hv
