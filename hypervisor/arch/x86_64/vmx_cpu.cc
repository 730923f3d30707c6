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

/// The calling CPU, as vmx_on() drives it.
class ThisCpu final : public VmxOps {
  public:
    CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf) override {
        cpu::CpuidResult r = cpu::cpuid(leaf, subleaf);
        return CpuidRegs{r.eax, r.ebx, r.ecx, r.edx};
    }
    uint64_t rdmsr(uint32_t msr) override { return cpu::rdmsr(msr); }
    void wrmsr(uint32_t msr, uint64_t value) override { cpu::wrmsr(msr, value); }
    uint64_t read_cr0() override { return cpu::read_cr0(); }
    void write_cr0(uint64_t value) override { cpu::write_cr0(value); }
    uint64_t read_cr3() override { return cpu::read_cr3(); }
    uint64_t read_cr4() override { return cpu::read_cr4(); }
    void write_cr4(uint64_t value) override { cpu::write_cr4(value); }
    uint64_t frame_alloc() override {
        auto f = kern::frame_alloc();
        if (!f.ok()) return 0;
        memset(reinterpret_cast<void*>(f.value()), 0, 4096);
        return f.value();
    }
    void frame_free(uint64_t phys) override { kern::frame_free(phys); }
    void* frame_ptr(uint64_t phys) override { return reinterpret_cast<void*>(phys); }
    vmx::VmxStatus vmxon(uint64_t region) override { return vmx::vmxon(region); }
    vmx::VmxStatus vmclear(uint64_t vmcs) override { return vmx::vmclear(vmcs); }
    vmx::VmxStatus vmptrld(uint64_t vmcs) override { return vmx::vmptrld(vmcs); }
    uint64_t vmptrst() override { return vmx::vmptrst(); }
};
/// The one ThisCpu: it has no state, so every CPU uses it.
ThisCpu g_this_cpu;
} // namespace

VmxOps& this_cpu_vmx_ops() {
    return g_this_cpu;
}

kern::Result<void> vmx_enable_cpu() {
    PerCpuVmx& v = me();
    if (v.enabled) return {};
    v.vmxon_region = TRY(vmx_on(g_this_cpu, v.msrs));
    // CR4.OSXSAVE lets the hypervisor execute XSETBV for its guests (XCR0 is not part of the
    // VMCS); the master itself saves no extended state.
    if (cpu::cpuid(1).ecx & CPUID_1_ECX_XSAVE) cpu::write_cr4(cpu::read_cr4() | CR4_OSXSAVE);
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
