// Turning VMX on for a CPU: the check of what the CPU and its firmware allow, the CR0/CR4
// settings VMX operation needs, the VMXON region and VMXON itself (SDM Vol 3C 24.6 "Discovering
// Support for VMX", 24.7 "Enabling and Entering VMX Operation", 24.8 "Restrictions on VMX
// Operation"; Vol 3D A.1 and A.7-A.8 for the MSRs).
//
// vmx_on() is pure: it drives the CPU through VmxOps (vmx_ops.h).
#pragma once

#include "core/result.h"
#include "hypervisor/core/vmx_ops.h"

#include <stdint.h>

namespace hv {

/// Read the capability MSRs into @p m: IA32_VMX_BASIC, then each control class's MSR (the
/// TRUE_ one when IA32_VMX_BASIC[55] says it exists), MISC, the CR0/CR4 fixed bits, and the
/// secondary-control and EPT/VPID MSRs when the primary controls allow secondary controls.
/// Needs CPUID.1:ECX.VMX (the MSRs do not exist without it).
void read_vmx_msrs(VmxOps& cpu, VmxMsrs& m);

/// Turn VMX on: VMX root operation on this CPU (SDM Vol 3C 24.7). Lab 5, step 1.
///
/// Refuses, with an Errc::unsupported Error whose message names what is missing, and with the
/// CPU left exactly as it was (no MSR, control register or frame changed):
///   - a CPU without VMX (CPUID.1:ECX.VMX, SDM 24.6);
///   - VMX disabled by the firmware: IA32_FEATURE_CONTROL locked with "VMX outside SMX" clear;
///   - a VMXON region bigger than a frame, or one the CPU does not access write-back
///     (IA32_VMX_BASIC[44:32] and [53:50], SDM Vol 3D A.1).
/// Otherwise, in an order the SDM allows:
///   - IA32_FEATURE_CONTROL left unlocked by the firmware is set to allow VMX outside SMX and
///     locked (its other bits kept); a locked one that allows VMX is not written;
///   - @p msrs is filled by read_vmx_msrs();
///   - CR0 and CR4 are made to obey the fixed bits of VMX operation (SDM 24.8, A.7, A.8), and
///     CR4.VMXE is set: both before VMXON;
///   - the VMXON region is a fresh frame that starts with the VMCS revision identifier
///     (IA32_VMX_BASIC[30:0]; bit 31 clear: SDM 25.2 and 25.11.5);
///   - VMXON. If it fails, CR4.VMXE is cleared again, the frame given back, and an Error
///     returned.
/// No free frame is an Errc::no_memory Error, with the CPU, too, left as it was.
/// Returns the VMXON region's physical address; it stays in use while VMX is on.
kern::Result<uint64_t> vmx_on(VmxOps& cpu, VmxMsrs& msrs);

} // namespace hv
