// The local APIC's registers in either mode: x2APIC (MSRs) when the CPU has it, else xAPIC
// (MMIO at the MADT's address); the ICR, whose layout differs between the two (SDM Vol 3A
// 11.6.1, 11.12.9). Given code: lab 2's lapic.cc programs the LAPIC through read() and write().
#include "arch/x86_64/apic/lapic.h"

#include "arch/x86_64/cpu.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"

namespace kern::lapic {

namespace {
using namespace x86; // the MSRs and CPUID flags

bool g_x2apic = false;
volatile uint32_t* g_mmio = nullptr;
} // namespace

void choose_mode(uint64_t mmio) {
    g_x2apic = (cpu::cpuid(1).ecx & CPUID_1_ECX_X2APIC) != 0;
    g_mmio = reinterpret_cast<volatile uint32_t*>(mmio ? mmio : XAPIC_DEFAULT_BASE);
}

bool x2apic() {
    return g_x2apic;
}

bool mode_in_effect() {
    uint64_t base = cpu::rdmsr(IA32_APIC_BASE);
    if (g_x2apic && !(base & IA32_APIC_BASE_EXTD)) {
        g_x2apic = false;
        return false;
    }
    return (base & IA32_APIC_BASE_EN) != 0;
}

uint32_t read(Reg r) {
    if (g_x2apic) return uint32_t(cpu::rdmsr(x2apic_msr(r)));
    return g_mmio[r / 4];
}

void write(Reg r, uint32_t v) {
    if (g_x2apic)
        cpu::wrmsr(x2apic_msr(r), v);
    else
        g_mmio[r / 4] = v;
}

uint32_t id() {
    uint32_t v = read(ID);
    return g_x2apic ? v : v >> 24;
}

void send_ipi(uint32_t dest, uint32_t icr_low) {
    if (g_x2apic) {
        // One 64-bit write: destination in bits 63:32 (SDM 11.12.9).
        cpu::wrmsr(IA32_X2APIC_ICR, (uint64_t(dest) << 32) | icr_low);
        return;
    }
    write(ICR_HIGH, dest << 24);
    write(ICR_LOW, icr_low); // the low write sends
    for (int i = 0; i < 1000000 && (read(ICR_LOW) & ICR_DELIVERY_STATUS); ++i)
        cpu::pause();
}

bool has_tsc_deadline() {
    return (cpu::cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE) != 0;
}

} // namespace kern::lapic
