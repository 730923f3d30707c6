// The privileged operations the hypervisor's VMX code takes (CPUID, MSRs, control registers,
// frames, the VMX instructions), behind one interface, so that the code that decides what to do
// is pure: the kernel implements VmxOps with the real instructions (ThisCpu,
// arch/x86_64/vmx_cpu.cc) and the host tests with a fake CPU that does what the SDM says the
// instructions do, and remembers the first rule broken (tests/fake_vmx_cpu.h).
#pragma once

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

/// The privileged operations the VMX code takes, one call each.
class VmxOps {
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
    /// MOV from CR3.
    virtual uint64_t read_cr3() = 0;
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
    /// VMCLEAR of the VMCS at physical @p vmcs.
    virtual vmx::VmxStatus vmclear(uint64_t vmcs) = 0;
    /// VMPTRLD of the VMCS at physical @p vmcs.
    virtual vmx::VmxStatus vmptrld(uint64_t vmcs) = 0;
    /// VMPTRST: the current VMCS's physical address, ~0 if there is none.
    virtual uint64_t vmptrst() = 0;

  protected:
    ~VmxOps() = default;
};

} // namespace hv
