// Lab 5, step 1 solution: turning VMX on (the contract is in vmx_on.h).
#include "hypervisor/core/vmx_on.h"

#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_controls.h"

namespace hv {

using namespace kern::x86;
using kern::Errc;
using kern::Error;

kern::Result<uint64_t> vmx_on(VmxOps& cpu, VmxMsrs& msrs) {
    if (!(cpu.cpuid(1, 0).ecx & CPUID_1_ECX_VMX))
        return Error{Errc::unsupported, "this CPU has no VMX (CPUID.1:ECX[5] = 0); QEMU without "
                                        "KVM has none: use Bochs or KVM"};
    uint64_t fc = cpu.rdmsr(IA32_FEATURE_CONTROL);
    bool locked = fc & IA32_FEATURE_CONTROL_LOCK;
    if (locked && !(fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX))
        return Error{Errc::unsupported, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL "
                                        "locked without VMX): enable it in the BIOS setup"};
    read_vmx_msrs(cpu, msrs);
    VmxBasic basic{msrs.basic};
    if (basic.vmcs_size() > 4096)
        return Error{Errc::unsupported, "VMXON region larger than 4 KiB (IA32_VMX_BASIC[44:32])"};
    if (basic.memory_type() != VmxMemoryType::WB)
        return Error{Errc::unsupported,
                     "VMXON region memory type is not write-back (IA32_VMX_BASIC[53:50])"};
    uint64_t region = cpu.frame_alloc();
    if (!region) return Error{Errc::no_memory, "no frame for the VMXON region"};
    *static_cast<uint32_t*>(cpu.frame_ptr(region)) = basic.revision_id();

    // Unlocked (as some firmware leaves it): allow VMX outside SMX and lock (SDM 24.7).
    if (!locked)
        cpu.wrmsr(IA32_FEATURE_CONTROL,
                  fc | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX | IA32_FEATURE_CONTROL_LOCK);
    // The fixed bits (SDM 24.8): GRUB leaves CR0.NE clear; CR4.VMXE must be set before VMXON.
    uint64_t cr4 = cpu.read_cr4();
    cpu.write_cr0(adjust_cr(cpu.read_cr0(), msrs.cr0_fixed0, msrs.cr0_fixed1));
    cpu.write_cr4(adjust_cr(cr4 | CR4_VMXE, msrs.cr4_fixed0, msrs.cr4_fixed1));
    if (cpu.vmxon(region) != vmx::VmxStatus::ok) {
        cpu.write_cr4(cpu.read_cr4() & ~CR4_VMXE);
        cpu.frame_free(region);
        return Error{Errc::unsupported, "VMXON failed (VMfailInvalid): bad VMXON region or CPU "
                                        "state"};
    }
    return region;
}

} // namespace hv
