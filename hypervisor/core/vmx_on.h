// Turning VMX on for a CPU: the check of what the CPU and its firmware allow, the CR0/CR4
// settings VMX operation needs, the VMXON region and VMXON itself (SDM Vol 3C 24.6 "Discovering
// Support for VMX", 24.7 "Enabling and Entering VMX Operation", 24.8 "Restrictions on VMX
// Operation"; Vol 3D A.1 and A.7-A.8 for the MSRs).
//
// vmx_on() is pure: it drives the CPU through a VmxOnCpu, which the kernel implements with the
// real instructions (arch/x86_64/vmx_cpu.cc) and the host tests with a fake CPU that checks
// what the SDM requires (tests/fake_vmx_cpu.h).
#pragma once

#include "core/result.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/cpuid_policy.h"

#include <stdint.h>

namespace hv {

/// The VMX capability MSRs (SDM Vol 3D Appendix A), read once per CPU by read_vmx_msrs().
struct VmxMsrs {
    uint64_t basic;      ///< IA32_VMX_BASIC (0x480)
    uint64_t pinbased;   ///< IA32_VMX_TRUE_PINBASED_CTLS (0x48D), or 0x481 without true controls
    uint64_t procbased;  ///< IA32_VMX_TRUE_PROCBASED_CTLS (0x48E), or 0x482
    uint64_t exit;       ///< IA32_VMX_TRUE_EXIT_CTLS (0x48F), or 0x483
    uint64_t entry;      ///< IA32_VMX_TRUE_ENTRY_CTLS (0x490), or 0x484
    uint64_t misc;       ///< IA32_VMX_MISC (0x485)
    uint64_t cr0_fixed0; ///< IA32_VMX_CR0_FIXED0 (0x486)
    uint64_t cr0_fixed1; ///< IA32_VMX_CR0_FIXED1 (0x487)
    uint64_t cr4_fixed0; ///< IA32_VMX_CR4_FIXED0 (0x488)
    uint64_t cr4_fixed1; ///< IA32_VMX_CR4_FIXED1 (0x489)
    uint64_t procbased2; ///< IA32_VMX_PROCBASED_CTLS2 (0x48B), 0 if secondary controls are absent
    uint64_t ept_vpid;   ///< IA32_VMX_EPT_VPID_CAP (0x48C), 0 if absent
    uint32_t maxphyaddr; ///< CPUID.80000008H:EAX[7:0]
};

/// The privileged operations that turning VMX on takes, one call each.
class VmxOnCpu {
  public:
    /// CPUID(@p leaf, @p subleaf).
    virtual CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf) = 0;
    /// RDMSR.
    virtual uint64_t rdmsr(uint32_t msr) = 0;
    /// WRMSR.
    virtual void wrmsr(uint32_t msr, uint64_t value) = 0;
    /// MOV from CR0.
    virtual uint64_t read_cr0() = 0;
    /// MOV to CR0.
    virtual void write_cr0(uint64_t value) = 0;
    /// MOV from CR4.
    virtual uint64_t read_cr4() = 0;
    /// MOV to CR4.
    virtual void write_cr4(uint64_t value) = 0;
    /// A zeroed, 4 KiB-aligned 4 KiB frame: its physical address, 0 if memory is out.
    virtual uint64_t frame_alloc() = 0;
    /// Give back a frame of frame_alloc().
    virtual void frame_free(uint64_t phys) = 0;
    /// Where the kernel can write the frame at @p phys (the master maps RAM 1:1).
    virtual void* frame_ptr(uint64_t phys) = 0;
    /// VMXON with the VMXON region at physical @p region.
    virtual vmx::VmxStatus vmxon(uint64_t region) = 0;

  protected:
    ~VmxOnCpu() = default;
};

/// Read the capability MSRs into @p m: IA32_VMX_BASIC, then each control class's MSR (the
/// TRUE_ one when IA32_VMX_BASIC[55] says it exists), MISC, the CR0/CR4 fixed bits, and the
/// secondary-control and EPT/VPID MSRs when the primary controls allow secondary controls.
/// Needs CPUID.1:ECX.VMX (the MSRs do not exist without it).
void read_vmx_msrs(VmxOnCpu& cpu, VmxMsrs& m);

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
kern::Result<uint64_t> vmx_on(VmxOnCpu& cpu, VmxMsrs& msrs);

} // namespace hv
