// The test guests' VMCS contents, checked against the SDM's VM-entry rules before any CPU sees
// them: what the hypervisor would write for a real-mode and a 64-bit guest must pass
// check_vm_entry() with the Bochs corei7_skylake_x capabilities, and must land in the VMCS.
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/vmcs_load.h"

#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;

namespace {
VmxState with_guest(bool long_mode, bool prot32 = false) {
    VmxState s = good_long_mode(); // a valid 64-bit host from the checker's own tests
    GuestControlRequest req;
    req.eptp = 0x100000 | 6 | (3 << 3);
    req.long_mode = long_mode;
    req.preemption_timer = 1000;
    REQUIRE(choose_controls(bochs_skylake_caps(), req, s.ctl).ok());
    if (prot32)
        protected32_guest(s.guest, bochs_skylake_caps(), 0x10000, 0x3FFFF0);
    else if (long_mode)
        long_mode_guest(s.guest, bochs_skylake_caps(), 0x2000, 0x100000, 0x80000);
    else
        real_mode_guest(s.guest, bochs_skylake_caps(), 0, 0x8000, 0x7000);
    return s;
}

void require_valid(const VmxState& s) {
    EntryCheckFailure f{};
    auto r = check_vm_entry(s, bochs_skylake_caps(), &f);
    INFO("field " << f.field << ": " << f.message << " (" << f.section << ")");
    REQUIRE(r.ok());
}
} // namespace

TEST_CASE("the real-mode test guest passes the VM-entry checks") {
    require_valid(with_guest(false));
}

TEST_CASE("the 64-bit test guest passes the VM-entry checks") {
    require_valid(with_guest(true));
}

TEST_CASE("the 32-bit unpaged test guest passes the VM-entry checks") {
    require_valid(with_guest(false, true));
}

TEST_CASE("write_vmx_state puts every field where VMREAD finds it") {
    VmxState s = with_guest(false);
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK(fake.refused_count() == 0);
    CHECK(v.read(GUEST_RIP) == 0x8000);
    CHECK(v.read(GUEST_CS_AR_BYTES) == s.guest.cs.access_rights);
    CHECK(v.read(EPT_POINTER) == s.ctl.ept_pointer);
    CHECK(v.read(VMCS_LINK_POINTER) == ~0ull);
    CHECK(v.read(PIN_BASED_VM_EXEC_CONTROL) == s.ctl.pin_based);
}

TEST_CASE("write_vmx_state writes the MSR lists, APIC pages, TPR threshold and PDPTEs") {
    // Every field the checker judges must reach the VMCS, or it judged values the CPU never saw.
    VmxState s = good_protected32(); // EPT on, PAE paging: the PDPTEs come from the VMCS
    s.ctl.exit_msr_store_count = 1;
    s.ctl.exit_msr_store_addr = 0x305000;
    s.ctl.exit_msr_load_count = 2;
    s.ctl.exit_msr_load_addr = 0x306010;
    s.ctl.entry_msr_load_addr = 0x307020;
    s.ctl.virtual_apic_page = 0x308000;
    s.ctl.tpr_threshold = 7;
    s.ctl.apic_access_addr = 0x309000;
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK(fake.refused_count() == 0);
    CHECK(v.read(VM_EXIT_MSR_STORE_ADDR) == 0x305000);
    CHECK(v.read(VM_EXIT_MSR_LOAD_ADDR) == 0x306010);
    CHECK(v.read(VM_ENTRY_MSR_LOAD_ADDR) == 0x307020);
    CHECK(v.read(VM_ENTRY_MSR_LOAD_COUNT) == s.ctl.entry_msr_load_count);
    CHECK(v.read(VIRTUAL_APIC_PAGE_ADDR) == 0x308000);
    CHECK(v.read(TPR_THRESHOLD) == 7);
    CHECK(v.read(APIC_ACCESS_ADDR) == 0x309000);
    CHECK(v.read(GUEST_PDPTR0) == s.guest.pdpte[0]);
    CHECK(v.read(GUEST_PDPTR3) == s.guest.pdpte[3]);
}

TEST_CASE("write_vmx_state leaves feature-only fields alone when unused and zero") {
    // A CPU without "virtualize APIC accesses" or EPT has no such fields: a VMWRITE would fail.
    VmxState s = with_guest(true);
    s.ctl.proc_based2 = 0;
    s.ctl.apic_access_addr = 0;
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK_FALSE(fake.was_written(APIC_ACCESS_ADDR.encoding));
    CHECK_FALSE(fake.was_written(GUEST_PDPTR0.encoding));
}

TEST_CASE("controls the CPU cannot do are refused by name") {
    VmxCaps caps = bochs_skylake_caps();
    caps.procbased_ctls2 &= ~(uint64_t(1) << (32 + 7)); // no unrestricted guest
    VmxControls c;
    auto r = choose_controls(caps, GuestControlRequest{}, c);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.error().what).find("secondary") != std::string::npos);
}
