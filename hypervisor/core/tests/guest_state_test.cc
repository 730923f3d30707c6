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

TEST_CASE("controls the CPU cannot do are refused by name") {
    VmxCaps caps = bochs_skylake_caps();
    caps.procbased_ctls2 &= ~(uint64_t(1) << (32 + 7)); // no unrestricted guest
    VmxControls c;
    auto r = choose_controls(caps, GuestControlRequest{}, c);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.error().what).find("secondary") != std::string::npos);
}
