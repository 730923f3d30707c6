#include "hypervisor/arch/x86_64/vmx_cpu.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/vmx_bits.h"
#include "hypervisor/core/vmx_controls.h"
#include "lib/string.h"
#include "mem/memory.h"

namespace hv {

namespace {
using kern::Errc;
using kern::Error;
namespace cpu = kern::cpu;
using namespace kern::x86;

/// What one CPU knows about its VMX operation.
struct PerCpuVmx {
    bool enabled;
    uint64_t vmxon_region;
    VmxMsrs msrs;
};
/// One entry per CPU, indexed by PerCpu::index.
PerCpuVmx g_vmx[kern::MAX_CPUS];

/// The calling CPU's entry.
PerCpuVmx& me() {
    return g_vmx[kern::this_cpu().index];
}

/// Read the VMX capability MSRs of the calling CPU (SDM Vol 3D Appendix A).
void read_msrs(VmxMsrs& m) {
    m.basic = cpu::rdmsr(IA32_VMX_BASIC);
    bool true_ctls = VmxBasic{m.basic}.true_controls(); // SDM A.1: the TRUE_* MSRs exist
    m.pinbased = cpu::rdmsr(control_capability_msr(ControlClass::PIN_BASED, true_ctls));
    m.procbased = cpu::rdmsr(control_capability_msr(ControlClass::PRIMARY_PROC_BASED, true_ctls));
    m.exit = cpu::rdmsr(control_capability_msr(ControlClass::VM_EXIT, true_ctls));
    m.entry = cpu::rdmsr(control_capability_msr(ControlClass::VM_ENTRY, true_ctls));
    m.misc = cpu::rdmsr(IA32_VMX_MISC);
    m.cr0_fixed0 = cpu::rdmsr(IA32_VMX_CR0_FIXED0);
    m.cr0_fixed1 = cpu::rdmsr(IA32_VMX_CR0_FIXED1);
    m.cr4_fixed0 = cpu::rdmsr(IA32_VMX_CR4_FIXED0);
    m.cr4_fixed1 = cpu::rdmsr(IA32_VMX_CR4_FIXED1);
    // Secondary controls exist if "activate secondary controls" may be 1 (allowed-1 half).
    bool secondary = ((m.procbased >> 32) & vmx_bits::PROC_ACTIVATE_SECONDARY) != 0;
    m.procbased2 = secondary ? cpu::rdmsr(IA32_VMX_PROCBASED_CTLS2) : 0;
    m.ept_vpid = secondary ? cpu::rdmsr(IA32_VMX_EPT_VPID_CAP) : 0;
    m.maxphyaddr = cpu::cpuid(0x80000008).eax & 0xFF;
}
} // namespace

kern::Result<uint64_t> vmx_alloc_vmcs() {
    uint64_t frame = TRY(kern::frame_alloc());
    memset(reinterpret_cast<void*>(frame), 0, 4096);
    // The first 31 bits hold the VMCS revision identifier (SDM 25.2).
    *reinterpret_cast<uint32_t*>(frame) = VmxBasic{me().msrs.basic}.revision_id();
    return frame;
}

kern::Result<void> vmx_enable_cpu() {
    PerCpuVmx& v = me();
    if (v.enabled) return {};
    if (!(cpu::cpuid(1).ecx & CPUID_1_ECX_VMX))
        return Error{Errc::unsupported, "this CPU has no VMX (CPUID.1:ECX[5] = 0); QEMU without "
                                        "KVM has none: use Bochs or KVM"};
    uint64_t fc = cpu::rdmsr(IA32_FEATURE_CONTROL);
    if (fc & IA32_FEATURE_CONTROL_LOCK) {
        if (!(fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX))
            return Error{Errc::unsupported, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL "
                                            "locked without VMX): enable it in "
                                            "the BIOS setup"};
    } else {
        // Unlocked (as some firmware leaves it): enable VMX outside SMX and lock (SDM 24.7).
        cpu::wrmsr(IA32_FEATURE_CONTROL,
                   fc | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX | IA32_FEATURE_CONTROL_LOCK);
    }
    read_msrs(v.msrs);
    if (VmxBasic{v.msrs.basic}.vmcs_size() > 4096)
        return Error{Errc::unsupported, "VMCS region larger than 4 KiB (IA32_VMX_BASIC[44:32])"};
    if (VmxBasic{v.msrs.basic}.memory_type() != VmxMemoryType::WB)
        return Error{Errc::unsupported,
                     "VMCS memory type is not write-back (IA32_VMX_BASIC[53:50])"};

    // CR0 and CR4 must obey the fixed bits in VMX operation (SDM 24.8): GRUB leaves CR0.NE
    // clear, and CR4.VMXE must be set before VMXON.
    uint64_t cr0 = (cpu::read_cr0() | v.msrs.cr0_fixed0) & v.msrs.cr0_fixed1;
    uint64_t cr4 = (cpu::read_cr4() | v.msrs.cr4_fixed0 | CR4_VMXE) & v.msrs.cr4_fixed1;
    // CR4.OSXSAVE lets the hypervisor execute XSETBV for its guests (XCR0 is not part of the
    // VMCS); the master itself saves no extended state.
    if (cpu::cpuid(1).ecx & CPUID_1_ECX_XSAVE) cr4 |= CR4_OSXSAVE;
    auto region = kern::frame_alloc();
    if (!region.ok()) return region.error();
    memset(reinterpret_cast<void*>(region.value()), 0, 4096);
    *reinterpret_cast<uint32_t*>(region.value()) = VmxBasic{v.msrs.basic}.revision_id();
    cpu::write_cr0(cr0);
    cpu::write_cr4(cr4);
    if (vmx::vmxon(region.value()) != vmx::VmxStatus::ok) {
        cpu::write_cr4(cpu::read_cr4() & ~CR4_VMXE);
        kern::frame_free(region.value());
        return Error{Errc::unsupported,
                     "VMXON failed (VMfailInvalid): bad VMXON region or CPU state"};
    }
    v.vmxon_region = region.value();
    v.enabled = true;
    return {};
}

bool vmx_enabled() {
    return me().enabled;
}
const VmxMsrs& vmx_msrs() {
    return me().msrs;
}

} // namespace hv
