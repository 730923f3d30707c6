#include "hypervisor/vm_host.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "console/console.h"
#include "hypervisor/arch/x86_64/vm_entry.h"

namespace hv {

namespace cpu = kern::cpu;

VmxCaps caps_of(const VmxMsrs& m) {
    VmxCaps c{};
    c.basic = m.basic;
    c.true_pinbased_ctls = m.pinbased;
    c.true_procbased_ctls = m.procbased;
    c.true_exit_ctls = m.exit;
    c.true_entry_ctls = m.entry;
    c.procbased_ctls2 = m.procbased2;
    c.cr0_fixed0 = m.cr0_fixed0;
    c.cr0_fixed1 = m.cr0_fixed1;
    c.cr4_fixed0 = m.cr4_fixed0;
    c.cr4_fixed1 = m.cr4_fixed1;
    c.ept_vpid_cap = m.ept_vpid;
    c.misc = m.misc;
    c.max_phys_addr = uint8_t(m.maxphyaddr);
    c.linear_addr_bits = uint8_t(cpu::cpuid(0x80000008).eax >> 8);
    return c;
}

void capture_host_state(VmxHostState& h) {
    kern::PerCpu& pc = kern::this_cpu();
    h = VmxHostState{};
    h.cr0 = cpu::read_cr0();
    h.cr3 = cpu::read_cr3();
    h.cr4 = cpu::read_cr4();
    h.cs_selector = kern::x86::KERNEL_CS;
    h.ss_selector = h.ds_selector = h.es_selector = kern::x86::KERNEL_DS;
    h.tr_selector = kern::x86::TSS_SEL;
    h.gs_base = reinterpret_cast<uint64_t>(&pc);
    h.tr_base = reinterpret_cast<uint64_t>(&pc.tss);
    h.gdtr_base = reinterpret_cast<uint64_t>(pc.gdt);
    kern::cpu::DescriptorTableRegister idtr;
    asm volatile("sidt %0" : "=m"(idtr));
    h.idtr_base = idtr.base;
    h.efer = cpu::rdmsr(0xC0000080);
    h.pat = cpu::rdmsr(0x277);
    h.rip = reinterpret_cast<uint64_t>(&vmx_exit_entry);
}

/// XSETBV (SDM Vol 2C): load XCR0. Needs CR4.OSXSAVE, which vmx_enable_cpu() sets when the CPU
void xsetbv(uint64_t value) {
    asm volatile("xsetbv" ::"c"(0u), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

/// The machine behind the exit handlers: the host CPU's CPUID and the master's console.
CpuidRegs KernelExitEnv::host_cpuid(uint32_t leaf, uint32_t subleaf) {
    cpu::CpuidResult r = cpu::cpuid(leaf, subleaf);
    return CpuidRegs{r.eax, r.ebx, r.ecx, r.edx};
}

void KernelExitEnv::log(const char* line) { kern::kprintf("%s\n", line); }

uint64_t KernelExitEnv::xcr0_supported() {
    if (!((cpu::cpuid(1).ecx >> 26) & 1)) // XSAVE
        return 0;
    cpu::CpuidResult d = cpu::cpuid(0xD, 0);
    return (uint64_t(d.edx) << 32) | d.eax;
}

} // namespace hv
