// The VMCS back end this build's exit handlers are instantiated for: RealVmcs (VMREAD/VMWRITE)
// in the kernel, FakeVmcs in the host tests. The handlers that are students' files are templates
// defined in .cc files (a header cannot be a student's file); each build instantiates them for
// this one back end (exit_dispatch_instances.h, ept/ept_violation_instances.h).
#pragma once

#if KIT_HOST_TEST
#include "hypervisor/core/fake_vmcs.h"
#else
#include "hypervisor/arch/x86_64/real_vmcs.h"
#endif

namespace hv {

#if KIT_HOST_TEST
using ExitVmcsBackend = FakeVmcs; ///< the back end the exit templates are built for
#else
using ExitVmcsBackend = RealVmcs; ///< the back end the exit templates are built for
#endif

} // namespace hv
