#include "hypervisor/arch/x86_64/vmx_cpu.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "lib/string.h"
#include "mem/memory.h"

namespace hv {

namespace {
using kern::Errc;
using kern::Error;
namespace cpu = kern::cpu;

/// IA32_FEATURE_CONTROL and the bits VMXON depends on (SDM Vol 3C 24.7).
constexpr uint32_t MSR_IA32_FEATURE_CONTROL = 0x3A;
constexpr uint64_t FEATURE_CONTROL_LOCK = 1 << 0;
constexpr uint64_t FEATURE_CONTROL_VMX_OUTSIDE_SMX = 1 << 2;
/// CR4.VMXE: must be set before VMXON.
constexpr uint64_t CR4_VMXE = 1 << 13;
constexpr uint64_t CR4_OSXSAVE = 1 << 18;

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
    m.basic = cpu::rdmsr(0x480);
    bool true_ctls = (m.basic >> 55) & 1; // SDM A.1: the TRUE_* MSRs exist
    m.pinbased = cpu::rdmsr(true_ctls ? 0x48D : 0x481);
    m.procbased = cpu::rdmsr(true_ctls ? 0x48E : 0x482);
    m.exit = cpu::rdmsr(true_ctls ? 0x48F : 0x483);
    m.entry = cpu::rdmsr(true_ctls ? 0x490 : 0x484);
    m.misc = cpu::rdmsr(0x485);
    m.cr0_fixed0 = cpu::rdmsr(0x486);
    m.cr0_fixed1 = cpu::rdmsr(0x487);
    m.cr4_fixed0 = cpu::rdmsr(0x488);
    m.cr4_fixed1 = cpu::rdmsr(0x489);
    // Secondary controls exist if the primary "activate secondary controls" (bit 31) may be 1.
    bool secondary = (m.procbased >> (32 + 31)) & 1;
    m.procbased2 = secondary ? cpu::rdmsr(0x48B) : 0;
    m.ept_vpid = secondary ? cpu::rdmsr(0x48C) : 0;
    m.maxphyaddr = cpu::cpuid(0x80000008).eax & 0xFF;
}
} // namespace

kern::Result<uint64_t> vmx_alloc_vmcs() {
    uint64_t frame = TRY(kern::frame_alloc());
    memset(reinterpret_cast<void*>(frame), 0, 4096);
    // The first 31 bits hold the VMCS revision identifier (SDM 25.2).
    *reinterpret_cast<uint32_t*>(frame) = uint32_t(me().msrs.basic & 0x7FFFFFFF);
    return frame;
}

kern::Result<void> vmx_enable_cpu() {
    PerCpuVmx& v = me();
    if (v.enabled) return {};
    if (!((cpu::cpuid(1).ecx >> 5) & 1))
        return Error{Errc::unsupported, "this CPU has no VMX (CPUID.1:ECX[5] = 0); QEMU without "
                                        "KVM has none: use Bochs or KVM"};
    uint64_t fc = cpu::rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (fc & FEATURE_CONTROL_LOCK) {
        if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
            return Error{Errc::unsupported, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL "
                                            "locked without VMX): enable it in "
                                            "the BIOS setup"};
    } else {
        // Unlocked (as some firmware leaves it): enable VMX outside SMX and lock (SDM 24.7).
        cpu::wrmsr(MSR_IA32_FEATURE_CONTROL,
                   fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
    }
    read_msrs(v.msrs);
    if (((v.msrs.basic >> 32) & 0x1FFF) > 4096)
        return Error{Errc::unsupported, "VMCS region larger than 4 KiB (IA32_VMX_BASIC[44:32])"};
    if (((v.msrs.basic >> 50) & 0xF) != 6)
        return Error{Errc::unsupported,
                     "VMCS memory type is not write-back (IA32_VMX_BASIC[53:50])"};

    // CR0 and CR4 must obey the fixed bits in VMX operation (SDM 24.8): GRUB leaves CR0.NE
    // clear, and CR4.VMXE must be set before VMXON.
    uint64_t cr0 = (cpu::read_cr0() | v.msrs.cr0_fixed0) & v.msrs.cr0_fixed1;
    uint64_t cr4 = (cpu::read_cr4() | v.msrs.cr4_fixed0 | CR4_VMXE) & v.msrs.cr4_fixed1;
    // CR4.OSXSAVE lets the hypervisor execute XSETBV for its guests (XCR0 is not part of the
    // VMCS); the master itself saves no extended state.
    if ((cpu::cpuid(1).ecx >> 26) & 1) cr4 |= CR4_OSXSAVE;
    auto region = kern::frame_alloc();
    if (!region.ok()) return region.error();
    memset(reinterpret_cast<void*>(region.value()), 0, 4096);
    *reinterpret_cast<uint32_t*>(region.value()) = uint32_t(v.msrs.basic & 0x7FFFFFFF);
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
