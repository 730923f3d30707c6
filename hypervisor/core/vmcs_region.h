// A VMCS region of one's own, made current (SDM Vol 3C 25.2 "Format of the VMCS Region", 25.11.3
// "Initializing a VMCS", 25.1 "Overview": one current VMCS per logical processor). Pure over
// VmxOps (vmx_ops.h).
#pragma once

#include "core/result.h"
#include "hypervisor/core/vmx_ops.h"

#include <stdint.h>

namespace hv {

/// A new VMCS, current on this CPU. Lab 5, step 2.
///
/// The region is a fresh frame that starts with the VMCS revision identifier
/// (IA32_VMX_BASIC[30:0] from @p msrs, bit 31 clear: SDM 25.2); it is initialised with VMCLEAR
/// before anything else uses it (SDM 25.11.3), then made current with VMPTRLD. Returns its
/// physical address; the caller owns it (it VMCLEARs and frees it when done).
/// Errors: no free frame is Errc::no_memory; a VMCLEAR or VMPTRLD that fails is
/// Errc::unsupported, naming the instruction, with the frame given back.
kern::Result<uint64_t> vmcs_new_current(VmxOps& cpu, const VmxMsrs& msrs);

} // namespace hv
