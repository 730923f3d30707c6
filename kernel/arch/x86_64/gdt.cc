#include "arch/x86_64/gdt.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/arch/msr.h"

namespace kern {

PerCpu g_percpu[MAX_CPUS];
unsigned g_cpus_online = 0;

namespace {
alignas(16) uint8_t g_ist_stacks[MAX_CPUS][IST_STACKS][IST_STACK_SIZE];
} // namespace

void gdt_init_cpu(PerCpu& cpu) {
    using namespace x86;
    cpu.self = &cpu;
    cpu.gdt[0] = {};
    cpu.gdt[KERNEL_CS / 8] = SegmentDescriptor::code64(0);
    cpu.gdt[KERNEL_DS / 8] = SegmentDescriptor::data(0);
    cpu.gdt[USER_CS32 / 8] = {};
    cpu.gdt[(USER_DS & ~3) / 8] = SegmentDescriptor::data(3);
    cpu.gdt[(USER_CS & ~3) / 8] = SegmentDescriptor::code64(3);
    for (unsigned i = 0; i < IST_STACKS; ++i) // tss.ist[0] is IST1
        cpu.tss.ist[i] = reinterpret_cast<uint64_t>(&g_ist_stacks[cpu.index][i][IST_STACK_SIZE]);
    TssDescriptor td = TssDescriptor::make(reinterpret_cast<uint64_t>(&cpu.tss));
    cpu.gdt[TSS_SEL / 8].raw = td.low;
    cpu.gdt[TSS_SEL / 8 + 1].raw = td.high;

    cpu::DescriptorTableRegister gdtr{uint16_t(sizeof cpu.gdt - 1),
                                      reinterpret_cast<uint64_t>(cpu.gdt)};
    cpu::lgdt(gdtr);
    // Reload CS with a far return, then the data segments (SDM Vol 3A 3.4.3).
    asm volatile("pushq %0\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movw %w1, %%ds\n\t"
                 "movw %w1, %%es\n\t"
                 "movw %w1, %%ss\n\t"
                 :
                 : "i"(uint64_t(KERNEL_CS)), "r"(uint32_t(KERNEL_DS))
                 : "rax", "memory");
    asm volatile("movw %w0, %%fs\n\tmovw %w0, %%gs" ::"r"(0));
    cpu::ltr(TSS_SEL);
    cpu::wrmsr(IA32_GS_BASE, reinterpret_cast<uint64_t>(&cpu));
}

} // namespace kern
