// Lab 5, step 2: the VMCS. Controls fitted to the capability MSRs, a VMCS region made current
// (against the fake CPU of fake_vmx_cpu.h), and the host state a VM exit loads.
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/host_state.h"
#include "hypervisor/core/tests/fake_vmx_cpu.h"
#include "hypervisor/core/vmcs_region.h"
#include "hypervisor/core/vmx_controls.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

using namespace hv;
using namespace hv_test;

namespace {
/// The fake CPU in VMX root operation, as step 1 leaves it: its VMXON region is frame 1.
struct InVmx {
    FakeVmxCpu cpu;
    VmxMsrs msrs{};
    InVmx() {
        uint64_t region = cpu.frame_alloc();
        uint32_t rev = uint32_t(cpu.msr[IA32_VMX_BASIC] & 0x7fffffff);
        std::memcpy(cpu.frame_ptr(region), &rev, 4);
        cpu.cr0 |= CR0_NE;
        cpu.cr4 |= CR4_VMXE;
        REQUIRE(cpu.vmxon(region) == vmx::VmxStatus::ok);
        msrs.basic = cpu.msr[IA32_VMX_BASIC];
    }
};

/// A layout whose every value is different, so that a field copied from the wrong one shows:
/// the master's selectors, and the tables, GS base and exit RIP at @p base + 0x1000 ... 0x5000.
HostLayout distinct_layout(uint64_t base = 0xffffffff80100000) {
    HostLayout l{};
    l.code_selector = 0x08;
    l.data_selector = 0x10;
    l.tss_selector = 0x28;
    l.gdt_base = base + 0x1000;
    l.idt_base = base + 0x2000;
    l.tss_base = base + 0x3000;
    l.gs_base = base + 0x4000;
    l.exit_rip = base + 0x5000;
    return l;
}
} // namespace

TEST_CASE("the VMCS: controls are accepted and default1 bits forced to 1 (SDM A.3.1)", "[lab5]") {
    // Made up, shaped like a TRUE_PINBASED_CTLS: bits 1, 2, 4 must be 1; bits 0-6 may be 1.
    uint64_t cap = 0x0000007f00000016ull;
    ControlAdjustment a = check_controls(0x1 | 0x8, cap); // ext-int exiting, NMI exiting
    CHECK(a.ok());
    CHECK(a.value == 0x1f);
    CHECK(a.forced_bits == 0x16);
    CHECK(a.unsupported_bits == 0);
    kern::Result<uint32_t> r = adjust_controls(0x9, cap, "pin-based VM-execution controls");
    REQUIRE(r.ok());
    CHECK(r.value() == 0x1f);
    // Nothing wanted: just the must-be-one bits.
    CHECK(adjust_controls(0, cap, "pin").value() == 0x16);
    // A wanted bit that is also a must-be-one bit is not "forced".
    CHECK(check_controls(0x2, cap).forced_bits == 0x14);
}

TEST_CASE("the VMCS: unsupported controls are refused, naming the class and the bits", "[lab5]") {
    // Made up secondary controls: only bits 1 (EPT), 5 (VPID) and 7 (unrestricted) allowed.
    uint64_t cap = 0x000000a200000000ull;
    const char* what = control_class_name(ControlClass::SECONDARY_PROC_BASED);
    uint32_t wanted = 0x2 | 0x80 | 0x1000 | 0x40000; // + INVPCID and XSAVES: not available
    ControlAdjustment a = check_controls(wanted, cap);
    CHECK_FALSE(a.ok());
    CHECK(a.unsupported_bits == 0x41000);
    CHECK(a.value == 0x82);
    kern::Result<uint32_t> r = adjust_controls(wanted, cap, what);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::unsupported);
    CHECK(std::string(r.error().what) == "secondary processor-based VM-execution controls");
    CHECK(adjust_controls(0x82, cap, what).value() == 0x82);
    // The highest bit too: allowed-1 bit 63 is control bit 31.
    CHECK(check_controls(0x80000000u, 0x7fffffff00000000ull).unsupported_bits == 0x80000000u);
    CHECK(check_controls(0x80000000u, 0xffffffff00000000ull).ok());
}

TEST_CASE("the VMCS: a test guest's controls the CPU cannot do are refused by name", "[lab5]") {
    // choose_controls() (given) with your adjust_controls(): a CPU without "unrestricted guest".
    VmxCaps caps = hv::test::bochs_skylake_caps();
    caps.procbased_ctls2 &= ~(uint64_t(vmx_bits::PROC2_UNRESTRICTED_GUEST) << 32);
    VmxControls c;
    auto r = choose_controls(caps, GuestControlRequest{}, c);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.error().what).find("secondary") != std::string::npos);
    // With it, the same request is granted, with the default1 bits added.
    REQUIRE(choose_controls(hv::test::bochs_skylake_caps(), GuestControlRequest{}, c).ok());
    CHECK((c.proc_based2 & vmx_bits::PROC2_UNRESTRICTED_GUEST) != 0);
    CHECK((c.pin_based & 0x16u) == 0x16u); // TRUE_PINBASED_CTLS' must-be-one bits
}

TEST_CASE("the VMCS: a new VMCS carries the revision identifier, is cleared, then made current",
          "[lab5]") {
    InVmx m;
    auto r = vmcs_new_current(m.cpu, m.msrs);
    INFO("fault: " << m.cpu.fault);
    REQUIRE(r.ok());
    CHECK(m.cpu.fault == "");
    CHECK(r.value() != m.cpu.vmxon_region);
    CHECK(m.cpu.vmptrst() == r.value());
    CHECK(m.cpu.live_frames() == 2); // the VMXON region and the new VMCS
    uint32_t rev;
    std::memcpy(&rev, m.cpu.frames.at(r.value() / 4096 - 1).data(), 4);
    CHECK(rev == 0x2b);
    REQUIRE(m.cpu.cleared.size() == 1);
    CHECK(m.cpu.cleared[0] == r.value());
    // A second one becomes current in its turn.
    auto r2 = vmcs_new_current(m.cpu, m.msrs);
    REQUIRE(r2.ok());
    CHECK(r2.value() != r.value());
    CHECK(m.cpu.vmptrst() == r2.value());
}

TEST_CASE("the VMCS: a failed VMPTRLD gives the frame back", "[lab5]") {
    InVmx m;
    m.cpu.vmptrld_fails = true;
    auto r = vmcs_new_current(m.cpu, m.msrs);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::unsupported);
    CHECK(std::string(r.error().what).find("VMPTRLD") != std::string::npos);
    CHECK(m.cpu.live_frames() == 1); // the VMXON region only
    CHECK(m.cpu.vmptrst() == ~0ull);
}

TEST_CASE("the VMCS: a failed VMCLEAR gives the frame back", "[lab5]") {
    InVmx m;
    m.cpu.vmclear_fails = true;
    auto r = vmcs_new_current(m.cpu, m.msrs);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.error().what).find("VMCLEAR") != std::string::npos);
    CHECK(m.cpu.live_frames() == 1); // the VMXON region only
    CHECK(m.cpu.vmptrst() == ~0ull); // and no VMPTRLD of a VMCS that was not cleared
}

TEST_CASE("the VMCS: no frame for a VMCS is Errc::no_memory", "[lab5]") {
    InVmx m;
    m.cpu.memory_out = true;
    auto r = vmcs_new_current(m.cpu, m.msrs);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::no_memory);
    CHECK(m.cpu.cleared.empty());
    CHECK(m.cpu.vmptrst() == ~0ull);
}

TEST_CASE("the VMCS: the host state is this CPU's control registers, EFER and PAT", "[lab5]") {
    FakeVmxCpu cpu;
    cpu.cr0 = 0x80050033;
    cpu.cr3 = 0x7654000;
    cpu.cr4 = 0x3426a0;
    cpu.msr[IA32_EFER] = 0xd01;
    cpu.msr[IA32_PAT] = 0x0007010600070106ull;
    VmxHostState h;
    std::memset(&h, 0xa5, sizeof h); // whatever was there before
    host_state(cpu, distinct_layout(), h);
    CHECK(h.cr0 == 0x80050033);
    CHECK(h.cr3 == 0x7654000);
    CHECK(h.cr4 == 0x3426a0);
    CHECK(h.efer == 0xd01);
    CHECK(h.pat == 0x0007010600070106ull);
    CHECK(h.sysenter_cs == 0);
    CHECK(h.sysenter_esp == 0);
    CHECK(h.sysenter_eip == 0);
    CHECK(h.rsp == 0);
    CHECK(cpu.fault == "");
}

TEST_CASE("the VMCS: the host selectors and bases come from the master's layout", "[lab5]") {
    FakeVmxCpu cpu;
    HostLayout l = distinct_layout();
    VmxHostState h;
    std::memset(&h, 0xa5, sizeof h);
    host_state(cpu, l, h);
    CHECK(h.cs_selector == 0x08);
    CHECK(h.ss_selector == 0x10);
    CHECK(h.ds_selector == 0x10);
    CHECK(h.es_selector == 0x10);
    CHECK(h.fs_selector == 0);
    CHECK(h.gs_selector == 0);
    CHECK(h.tr_selector == 0x28);
    CHECK(h.gdtr_base == l.gdt_base);
    CHECK(h.idtr_base == l.idt_base);
    CHECK(h.tr_base == l.tss_base);
    CHECK(h.gs_base == l.gs_base);
    CHECK(h.fs_base == 0);
    CHECK(h.rip == l.exit_rip);
}

TEST_CASE("the VMCS: the host state passes the VM-entry checks", "[lab5]") {
    // Bochs' CPU as the master runs on it (CR0, CR4 with the VMX fixed bits, a 64-bit EFER)
    // under a known-good guest: the checker must accept the host state host_state() builds.
    FakeVmxCpu cpu;
    cpu.cr0 = 0x80010031 | CR0_NE;
    cpu.cr4 = CR4_PAE | CR4_VMXE;
    VmxState s = hv::test::good_long_mode();
    HostLayout l = distinct_layout(0x140000); // where the master's kernel lies
    host_state(cpu, l, s.host);
    EntryCheckFailure why{};
    auto ok = check_vm_entry(s, hv::test::bochs_skylake_caps(), &why);
    INFO((why.field ? why.field : "") << ": " << (why.message ? why.message : ""));
    CHECK(ok.ok());
}
