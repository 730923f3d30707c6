// Lab 5, step 3: the guest state of the test guests, judged by the VM-entry checker (SDM Vol 3C
// 27.3.1) with Bochs' corei7_skylake_x capabilities and the controls choose_controls() gives
// each kind of guest, and the values each contract names.
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/vmx_bits.h"

#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;
using namespace kern::x86;

namespace {
enum class Kind { real_mode, protected32, long_mode };

/// A known-good host and the controls for @p k, with the student's guest state.
VmxState with_guest(Kind k) {
    VmxState s = good_long_mode(); // a valid 64-bit host from the checker's own tests
    GuestControlRequest req;
    req.eptp = 0x100000 | 6 | (3 << 3); // WB, 4-level walk (SDM 25.6.11)
    req.long_mode = k == Kind::long_mode;
    req.preemption_timer = 1000;
    REQUIRE(choose_controls(bochs_skylake_caps(), req, s.ctl).ok());
    if (k == Kind::protected32)
        protected32_guest(s.guest, bochs_skylake_caps(), 0x10000, 0x3FFFF0);
    else if (k == Kind::long_mode)
        long_mode_guest(s.guest, bochs_skylake_caps(), 0x2000, 0x100000, 0x80000);
    else
        real_mode_guest(s.guest, bochs_skylake_caps(), 0, 0x8000, 0x7000);
    own_fixed_cr_bits(s.ctl, s.guest, bochs_skylake_caps());
    return s;
}

void require_valid(const VmxState& s) {
    EntryCheckFailure f{};
    auto r = check_vm_entry(s, bochs_skylake_caps(), &f);
    INFO("the VM-entry checker: " << (f.field ? f.field : "") << ": "
                                  << (f.message ? f.message : "") << " ("
                                  << (f.section ? f.section : "") << ")");
    REQUIRE(r.ok());
}

/// What every test guest shares (guest_state.h).
void check_reset_values(const VmxGuestState& g) {
    CHECK(g.rflags == 0x2);
    CHECK(g.dr7 == 0x400);
    CHECK(g.pat == 0x0007040600070406ull);
    CHECK(g.vmcs_link_pointer == ~0ull);
    CHECK((g.ldtr.access_rights & vmx_bits::AR_UNUSABLE) != 0);
    CHECK(g.tr.selector == 0);
    CHECK(g.tr.base == 0);
    CHECK(g.gdtr_limit == 0xFFFF);
    CHECK(g.idtr_limit == 0xFFFF);
}
} // namespace

TEST_CASE("guest state: the 64-bit guest passes the VM-entry checks", "[lab5]") {
    require_valid(with_guest(Kind::long_mode));
}

TEST_CASE("guest state: the 64-bit guest starts where it is told, in 64-bit mode", "[lab5]") {
    VmxGuestState g = with_guest(Kind::long_mode).guest;
    CHECK(g.cr3 == 0x2000);
    CHECK(g.rip == 0x100000);
    CHECK(g.rsp == 0x80000);
    CHECK((g.cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG));
    CHECK((g.cr4 & CR4_PAE) != 0);
    CHECK((g.efer & (IA32_EFER_LME | IA32_EFER_LMA)) == (IA32_EFER_LME | IA32_EFER_LMA));
    CHECK(g.cs.selector == 0x10);
    CHECK((g.cs.access_rights & vmx_bits::AR_L) != 0);
    for (const Segment* seg : {&g.ss, &g.ds, &g.es, &g.fs, &g.gs})
        CHECK(seg->selector == 0x18);
    CHECK(g.tr.limit == 0x67);
    check_reset_values(g);
}

TEST_CASE("guest state: the 32-bit unpaged guest passes the VM-entry checks, flat at 0x08 and 0x10",
          "[lab5]") {
    VmxState s = with_guest(Kind::protected32);
    require_valid(s);
    const VmxGuestState& g = s.guest;
    CHECK(g.rip == 0x10000);
    CHECK(g.rsp == 0x3FFFF0);
    CHECK((g.cr0 & CR0_PE) != 0);
    CHECK((g.cr0 & CR0_PG) == 0);
    CHECK(g.cs.selector == 0x08);
    CHECK((g.cs.access_rights & vmx_bits::AR_DB) != 0); // 32-bit code
    CHECK(g.cs.limit == 0xFFFFFFFF);
    CHECK(g.ss.selector == 0x10);
    check_reset_values(g);
}

TEST_CASE("guest state: the real-mode guest passes the VM-entry checks (the challenge)", "[lab5]") {
    VmxState s = with_guest(Kind::real_mode);
    require_valid(s);
    const VmxGuestState& g = s.guest;
    CHECK(g.rip == 0x8000);
    CHECK(g.rsp == 0x7000);
    CHECK((g.cr0 & (CR0_PE | CR0_PG)) == 0);
    CHECK(g.cs.base == 0);
    CHECK(g.cs.limit == 0xFFFF);
    check_reset_values(g);
    // CS:IP elsewhere: the base follows the selector.
    VmxGuestState h{};
    real_mode_guest(h, bochs_skylake_caps(), 0xF000, 0xFFF0, 0);
    CHECK(h.cs.selector == 0xF000);
    CHECK(h.cs.base == 0xF0000);
    CHECK(h.rip == 0xFFF0);
}
