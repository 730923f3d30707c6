// Lab 5, step 1: vmx_on() against a fake CPU that checks what the SDM requires of VMXON.
#include "hypervisor/core/tests/fake_vmx_cpu.h"
#include "hypervisor/core/vmx_on.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

using namespace hv;
using namespace hv_test;

namespace {
/// A field of IA32_VMX_BASIC (SDM Vol 3D A.1): its lowest bit and width.
struct Field {
    unsigned shift, width;
};
constexpr Field VMX_BASIC_REVISION{0, 31};    // bits 30:0
constexpr Field VMX_BASIC_SIZE{32, 13};       // bits 44:32
constexpr Field VMX_BASIC_MEMORY_TYPE{50, 4}; // bits 53:50
uint64_t with_field(uint64_t raw, Field f, uint64_t value) {
    uint64_t mask = ((uint64_t(1) << f.width) - 1) << f.shift;
    return (raw & ~mask) | (value << f.shift);
}

/// The fake CPU's state that a refusal must leave alone.
struct Snapshot {
    std::map<uint32_t, uint64_t> msr;
    uint64_t cr0, cr4;
    explicit Snapshot(const FakeVmxCpu& c) : msr(c.msr), cr0(c.cr0), cr4(c.cr4) {}
    bool same(const FakeVmxCpu& c) const { return msr == c.msr && cr0 == c.cr0 && cr4 == c.cr4; }
};

/// A refusal: an Errc::unsupported Error, nothing on the CPU changed, no frame kept, no VMXON.
void check_refused(FakeVmxCpu& cpu, const Snapshot& before, const char* words) {
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::unsupported);
    INFO("the refusal said: " << r.error().what);
    CHECK(std::string(r.error().what).find(words) != std::string::npos);
    CHECK(cpu.vmxon_calls == 0);
    CHECK(cpu.msr_writes.empty());
    CHECK(cpu.cr_writes == 0);
    CHECK(before.same(cpu));
    CHECK(cpu.live_frames() == 0);
    CHECK(cpu.fault == "");
}
} // namespace

TEST_CASE("VMX on: a CPU without VMX is refused and left untouched", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.cpuid1_ecx &= ~CPUID_1_ECX_VMX;
    check_refused(cpu, Snapshot(cpu), "VMX");
}

TEST_CASE("VMX on: firmware that locked VMX off is refused and left untouched", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.msr[IA32_FEATURE_CONTROL] = IA32_FEATURE_CONTROL_LOCK; // locked, VMX outside SMX off
    check_refused(cpu, Snapshot(cpu), "firmware");
}

TEST_CASE("VMX on: a VMXON region over 4 KiB or not write-back is refused", "[lab5]") {
    SECTION("6 KiB") {
        FakeVmxCpu cpu;
        cpu.msr[IA32_VMX_BASIC] = with_field(cpu.msr[IA32_VMX_BASIC], VMX_BASIC_SIZE, 0x1800);
        check_refused(cpu, Snapshot(cpu), "4 KiB");
    }
    SECTION("uncacheable") {
        FakeVmxCpu cpu;
        cpu.msr[IA32_VMX_BASIC] =
            with_field(cpu.msr[IA32_VMX_BASIC], VMX_BASIC_MEMORY_TYPE, 0); // UC
        check_refused(cpu, Snapshot(cpu), "write-back");
    }
    SECTION("exactly 4 KiB and write-back is fine") {
        FakeVmxCpu cpu;
        VmxMsrs m{};
        CHECK(vmx_on(cpu, m).ok());
        CHECK(cpu.in_vmx);
    }
}

TEST_CASE("VMX on: an unlocked IA32_FEATURE_CONTROL is enabled and locked, other bits kept",
          "[lab5]") {
    FakeVmxCpu cpu;
    const uint64_t other = IA32_FEATURE_CONTROL_SGX_LC; // not ours to change
    cpu.msr[IA32_FEATURE_CONTROL] = other;
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    INFO("fault: " << cpu.fault);
    REQUIRE(r.ok());
    CHECK(cpu.msr[IA32_FEATURE_CONTROL] ==
          (other | IA32_FEATURE_CONTROL_LOCK | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX));
    CHECK(cpu.fault == "");
    CHECK(cpu.in_vmx);
}

TEST_CASE("VMX on: a locked IA32_FEATURE_CONTROL that allows VMX is not written", "[lab5]") {
    FakeVmxCpu cpu; // locked with VMX outside SMX: as firmware usually leaves it
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    INFO("fault: " << cpu.fault);
    REQUIRE(r.ok());
    for (auto& w : cpu.msr_writes)
        CHECK(w.first != IA32_FEATURE_CONTROL);
    CHECK(cpu.fault == "");
}

TEST_CASE("VMX on: CR0 and CR4 obey the fixed bits and CR4.VMXE is set before VMXON", "[lab5]") {
    FakeVmxCpu cpu;
    // Fixed bits made up so that each rule shows: CR0.NE and CR4.VMXE must be 1, CR0.CD and
    // CR4.SMXE must be 0.
    cpu.msr[IA32_VMX_CR0_FIXED1] = 0xffffffffull & ~CR0_CD;
    cpu.msr[IA32_VMX_CR4_FIXED1] = 0x3727ff & ~CR4_SMXE;
    cpu.cr0 |= CR0_CD;
    cpu.cr4 |= CR4_SMXE;
    const uint64_t cr0_before = cpu.cr0, cr4_before = cpu.cr4;
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    INFO("fault: " << cpu.fault);
    REQUIRE(r.ok());
    CHECK(cpu.fault == "");
    CHECK((cpu.cr0 & CR0_NE) != 0);
    CHECK((cpu.cr0 & CR0_CD) == 0);
    CHECK((cpu.cr4 & CR4_VMXE) != 0);
    CHECK((cpu.cr4_at_vmxon & CR4_VMXE) != 0);
    CHECK((cpu.cr4 & CR4_SMXE) == 0);
    // Nothing else changed.
    CHECK((cpu.cr0 & ~(CR0_NE | CR0_CD)) == (cr0_before & ~(CR0_NE | CR0_CD)));
    CHECK((cpu.cr4 & ~(CR4_VMXE | CR4_SMXE)) == (cr4_before & ~CR4_SMXE));
}

TEST_CASE("VMX on: the VMXON region is a fresh frame with the revision identifier", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.msr[IA32_VMX_BASIC] = with_field(cpu.msr[IA32_VMX_BASIC], VMX_BASIC_REVISION, 0x1234);
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    INFO("fault: " << cpu.fault);
    REQUIRE(r.ok());
    CHECK(cpu.in_vmx);
    CHECK(r.value() == cpu.vmxon_region);
    CHECK(cpu.live_frames() == 1);
    const auto& f = cpu.frames.at(r.value() / 4096 - 1);
    uint32_t rev;
    std::memcpy(&rev, f.data(), 4);
    CHECK(rev == 0x1234);
    // The MSRs were read for the caller.
    CHECK(m.basic == cpu.msr[IA32_VMX_BASIC]);
    CHECK(m.cr0_fixed0 == 0x80000021);
    CHECK(m.pinbased == cpu.msr[IA32_VMX_TRUE_PINBASED_CTLS]);
}

TEST_CASE("VMX on: a failed VMXON is undone", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.vmxon_fails = true;
    const uint64_t cr4_before = cpu.cr4;
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    REQUIRE_FALSE(r.ok());
    CHECK(cpu.vmxon_calls == 1);
    CHECK((cpu.cr4 & CR4_VMXE) == 0);
    CHECK(cpu.cr4 == cr4_before);
    CHECK(cpu.live_frames() == 0);
    CHECK(cpu.fault == "");
}

TEST_CASE("VMX on: no frame for the region is an error, with nothing changed", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.memory_out = true;
    Snapshot before(cpu);
    VmxMsrs m{};
    auto r = vmx_on(cpu, m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::no_memory);
    CHECK(cpu.vmxon_calls == 0);
    CHECK(before.same(cpu));
}
