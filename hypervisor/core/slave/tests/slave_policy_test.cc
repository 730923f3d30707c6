// The slave's MSR and CPUID policy. guest_cpuid() is lab 5's: these tests link the stand-in
// (core/tests/exit_dispatch_fakes.cc), so they check only what slave_cpuid_() itself adds.
#include "core/arch/cpuid_bits.h"
#include "hypervisor/core/slave/slave_policy.h"

#include "hypervisor/core/slave/icr_filter.h"
#include "hypervisor/core/xsave_layout.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
constexpr uint64_t APIC_BASE = 0xFEE00000 | (1u << 11) | (1u << 10); // enabled, x2APIC, not BSP
// All ones after the stand-in (which adds 1 to EAX).
const CpuidRegs ALL{~0u - 1, ~0u, ~0u, ~0u};
CpuidRegs slave_cpuid_(uint32_t leaf, uint32_t sub, CpuidRegs host) {
    return slave_cpuid(leaf, sub, host, 7);
}
} // namespace

TEST_CASE("emulated MSR reads") {
    CHECK(slave_msr_read(0x1B, APIC_BASE).value == (APIC_BASE | (1u << 8)));
    CHECK(slave_msr_read(0x3B, APIC_BASE).value == 0);
    CHECK(slave_msr_read(0x3A, APIC_BASE).value == 1);
    CHECK_FALSE(slave_msr_read(0x3B, APIC_BASE).gp);
    for (uint32_t m : {0x4Eu, 0x34u, 0x19Cu, 0x1ADu, 0x606u, 0x611u, 0x619u, 0x639u, 0x64Eu, 0x66Au,
                       0x480u, 0xC0010000u})
        CHECK(slave_msr_read(m, APIC_BASE).gp);
}

TEST_CASE("intercepted MSR writes: the ICR goes to the filter, the rest is dropped or refused") {
    CHECK(slave_msr_write(kern::x86::IA32_X2APIC_ICR, 0, APIC_BASE) == SlaveMsrWrite::icr);
    CHECK(slave_msr_write(0x1B, APIC_BASE | (1u << 8), APIC_BASE) == SlaveMsrWrite::ignore);
    CHECK(slave_msr_write(0x1B, APIC_BASE & ~(1u << 10), APIC_BASE) ==
          SlaveMsrWrite::gp);                                        // leave x2APIC
    CHECK(slave_msr_write(0x1B, 0, APIC_BASE) == SlaveMsrWrite::gp); // disable the APIC
    CHECK(slave_msr_write(0x10, 0, APIC_BASE) == SlaveMsrWrite::ignore);
    CHECK(slave_msr_write(0x3A, 5, APIC_BASE) == SlaveMsrWrite::gp); // FEATURE_CONTROL
    CHECK(slave_msr_write(0x480, 0, APIC_BASE) ==
          SlaveMsrWrite::gp); // VMX capability MSRs do not exist
}

TEST_CASE("the passthrough list has the slave's own context and nothing of the machine's") {
    bool has_deadline = false, has_lstar = false;
    for (uint32_t m : SLAVE_PASSTHROUGH_MSRS) {
        CHECK(m != 0x1B); // APIC base
        CHECK(m != 0x3A); // feature control
        CHECK(m != kern::x86::IA32_X2APIC_ICR);
        CHECK((m < 0x480 || m > 0x491)); // VMX capabilities
        has_deadline |= m == 0x6E0;
        has_lstar |= m == 0xC0000082;
    }
    CHECK(has_deadline);
    CHECK(has_lstar);
}

TEST_CASE("the slave's CPUID: Jailhouse signature, no MONITOR, APERF/MPERF, PCID, RDTSCP, XSAVES") {
    CpuidRegs sig = slave_cpuid_(0x40000000, 0, ALL);
    char s[13] = {};
    for (int i = 0; i < 4; ++i) {
        s[i] = char(sig.ebx >> (8 * i));
        s[4 + i] = char(sig.ecx >> (8 * i));
        s[8 + i] = char(sig.edx >> (8 * i));
    }
    CHECK(std::string(s) == "Jailhouse");
    CHECK((slave_cpuid_(1, 0, ALL).ecx & (1u << 3)) == 0);
    CHECK((slave_cpuid_(1, 0, ALL).ecx & (1u << 17)) == 0);
    CHECK((slave_cpuid_(1, 0, ALL).edx & (1u << 12)) == 0);
    CHECK((slave_cpuid_(6, 0, ALL).ecx & 1u) == 0);
    CHECK((slave_cpuid_(6, 0, ALL).eax & (1u << 2)) !=
          0); // ARAT stays: the LAPIC timer runs in idle
    CHECK((slave_cpuid_(7, 0, ALL).ebx & (1u << 10)) == 0);
    CHECK((slave_cpuid_(0xD, 1, ALL).eax & (1u << 3)) == 0);
    CHECK((slave_cpuid_(0x80000001, 0, ALL).edx & (1u << 27)) == 0);
    CHECK(slave_cpuid_(0x15, 0, ALL).eax == 0);
    CHECK(slave_cpuid_(0x16, 0, ALL).eax == 0);
    CHECK(slave_cpuid_(0xA, 0, ALL).eax == 0);
}

TEST_CASE("XSAVE: x87, SSE and AVX only, sizes from the slave's XCR0") {
    CHECK(slave_cpuid(0xD, 0, ALL, 7).eax == 7);
    CHECK(slave_cpuid(0xD, 0, ALL, 7).ebx == 832);
    CHECK(slave_cpuid(0xD, 0, ALL, 3).ebx == 576);
    CHECK(slave_cpuid(0xD, 0, ALL, 3).ecx == 832);
    CHECK(slave_cpuid(0xD, 1, ALL, 7).ebx == 832); // compacted = standard for these components
    CHECK(slave_cpuid(0xD, 1, ALL, 3).ebx == 576);
    CHECK(slave_cpuid(0xD, 5, ALL, 7).eax == 0);              // AVX-512 opmask: gone
    CHECK((slave_cpuid(7, 0, ALL, 7).ebx & (1u << 16)) == 0); // AVX512F
}

TEST_CASE("XSAVE instructions: XSAVEOPT and XGETBV(1) offered, XSAVES never, XSAVEC only for the "
          "negative test") {
    uint32_t d1 = slave_cpuid(0xD, 1, ALL, 7).eax;
    CHECK((d1 & hv::xsave::CPUID_D1_XSAVEOPT) != 0);
    CHECK((d1 & hv::xsave::CPUID_D1_XGETBV1) != 0);
    CHECK((d1 & hv::xsave::CPUID_D1_XSAVEC) == 0); // Bochs 2.7 writes the compacted format wrongly
    CHECK((d1 & hv::xsave::CPUID_D1_XSAVES) == 0);
    SlaveCpuidOptions offer;
    offer.offer_xsavec = true;
    uint32_t d1x = slave_cpuid(0xD, 1, ALL, 7, offer).eax;
    CHECK((d1x & hv::xsave::CPUID_D1_XSAVEC) != 0);
    CHECK((d1x & hv::xsave::CPUID_D1_XSAVES) == 0);
    CHECK((slave_cpuid(0xD, 1, CpuidRegs{0, 0, 0, 0}, 7, offer).eax & hv::xsave::CPUID_D1_XSAVEC) ==
          0); // only if the CPU has it
}

TEST_CASE("RDRAND and RDSEED only when asked for (Bochs answers them from the wall clock)") {
    CHECK((slave_cpuid(1, 0, ALL, 7).ecx & kern::x86::CPUID_1_ECX_RDRAND) == 0);
    CHECK((slave_cpuid(7, 0, ALL, 7).ebx & kern::x86::CPUID_7_EBX_RDSEED) == 0);
    SlaveCpuidOptions offer;
    offer.offer_rdrand = true;
    CHECK((slave_cpuid(1, 0, ALL, 7, offer).ecx & kern::x86::CPUID_1_ECX_RDRAND) != 0);
    CHECK((slave_cpuid(7, 0, ALL, 7, offer).ebx & kern::x86::CPUID_7_EBX_RDSEED) != 0);
}

TEST_CASE("routine boot probes are told apart from attempts") {
    CHECK(slave_msr_probe_is_routine(0x606));
    CHECK(slave_msr_probe_is_routine(0x4E));
    CHECK_FALSE(slave_msr_probe_is_routine(0x480));
    CHECK_FALSE(slave_msr_probe_is_routine(0x1B));
}
