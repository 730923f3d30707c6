// Judging a differential case (entry_diff.h): agreements, checker bugs in both directions, and
// each listed Bochs deviation applying exactly where its rule says.
#include "hypervisor/core/entry_check/entry_diff.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/vmx_bits.h"

#include <catch2/catch.hpp>
#include <string>

using namespace hv;
using namespace hv::test;
using namespace hv::vmx_bits;
using namespace kern::x86;

namespace {
constexpr uint64_t NONCANONICAL = 0x0000800000000000ULL;

/// The deviation's name, or "" for none.
std::string name_of(const BochsDeviation* d) {
    return d ? d->name : "";
}

/// check_vm_entry's failure for @p s (REQUIREs that it refuses).
EntryCheckFailure refusal(const VmxState& s) {
    EntryCheckFailure why{};
    REQUIRE_FALSE(check_vm_entry(s, bochs_skylake_caps(), &why).ok());
    return why;
}

VmxState unrestricted_long_mode() {
    VmxState s = good_long_mode();
    s.ctl.proc_based2 |= PROC2_UNRESTRICTED_GUEST;
    return s;
}
} // namespace

TEST_CASE("agreements and disagreements are told apart") {
    const VmxState s = good_long_mode();
    const VmxCaps caps = bochs_skylake_caps();
    const EntryCheckFailure none{"", "", ""};
    const BochsDeviation* d = nullptr;
    CHECK(judge_case(s, caps, true, none, true, CpuVerdict::accepted, &d) ==
          DiffOutcome::agree_accept);
    CHECK(judge_case(s, caps, false, none, true, CpuVerdict::refused, &d) ==
          DiffOutcome::agree_refuse);
    CHECK(judge_case(s, caps, true, none, true, CpuVerdict::refused, &d) ==
          DiffOutcome::checker_too_lax);
    CHECK(judge_case(s, caps, false, none, true, CpuVerdict::accepted, &d) ==
          DiffOutcome::checker_too_rigid);
    CHECK(judge_case(s, caps, true, none, true, CpuVerdict::other, &d) == DiffOutcome::cpu_other);
    CHECK(d == nullptr);
    CHECK_FALSE(outcome_ok(DiffOutcome::checker_too_lax));
    CHECK(outcome_ok(DiffOutcome::bochs_deviation));
}

TEST_CASE("the states Bochs panics on are named and never launched") {
    const VmxCaps caps = bochs_skylake_caps();
    VmxState s = unrestricted_long_mode();
    CHECK(bochs_panics_on(s, caps) == nullptr);
    s.guest.cr0 &= ~CR0_PG;
    CHECK(name_of(bochs_panics_on(s, caps)) == "ia32e_guest_without_paging");
    const BochsDeviation* d = nullptr;
    CHECK(judge_case(s, caps, false, refusal(s), false, CpuVerdict::other, &d) ==
          DiffOutcome::bochs_deviation);
    CHECK(name_of(d) == "ia32e_guest_without_paging");
    // Without unrestricted guest Bochs refuses CR0.PG = 0 itself: it may be launched.
    VmxState r = good_long_mode();
    r.guest.cr0 &= ~CR0_PG;
    CHECK(bochs_panics_on(r, caps) == nullptr);

    VmxState m = good_long_mode();
    m.ctl.entry_intr_info = INTR_INFO_VALID | (INTR_TYPE_OTHER << INTR_INFO_TYPE_SHIFT);
    CHECK(name_of(bochs_panics_on(m, caps)) == "mtf_event_without_mtf");
    VmxCaps with_mtf = caps;
    with_mtf.true_procbased_ctls |= uint64_t{PROC_MONITOR_TRAP_FLAG} << 32;
    CHECK(bochs_panics_on(m, with_mtf) == nullptr);
}

TEST_CASE("Bochs' lax rules explain an acceptance only where they apply") {
    const VmxCaps caps = bochs_skylake_caps();
    VmxState s = good_long_mode();
    s.guest.rip = NONCANONICAL;
    CHECK(name_of(bochs_accepts_explained(s, caps, refusal(s))) == "guest_rip_noncanonical");
    s = good_protected32();
    s.guest.rip = uint64_t{1} << 32; // Bochs checks this one
    CHECK(bochs_accepts_explained(s, caps, refusal(s)) == nullptr);

    s = good_long_mode();
    s.guest.pending_dbg_exceptions = uint64_t{1} << 40;
    CHECK(name_of(bochs_accepts_explained(s, caps, refusal(s))) == "pending_dbg_bits_63_32");
    s.guest.pending_dbg_exceptions = uint64_t{1} << 20; // Bochs checks bits 31:17
    CHECK(bochs_accepts_explained(s, caps, refusal(s)) == nullptr);

    s = good_long_mode();
    s.guest.debugctl = 1u << 3;
    CHECK(name_of(bochs_accepts_explained(s, caps, refusal(s))) == "debugctl_reserved_bits");

    s = good_long_mode();
    s.guest.ss.access_rights &= ~AR_P; // no listed deviation: Bochs refuses this too
    CHECK(bochs_accepts_explained(s, caps, refusal(s)) == nullptr);
}

TEST_CASE("Bochs' strict CS.RPL rule explains a refusal only with unrestricted guest") {
    const VmxCaps caps = bochs_skylake_caps();
    VmxState s = unrestricted_long_mode();
    s.guest.cs.selector |= 3;
    REQUIRE(check_vm_entry(s, caps, nullptr).ok());
    CHECK(name_of(bochs_refuses_explained(s, caps)) == "cs_dpl_checked_against_cs_rpl");
    const BochsDeviation* d = nullptr;
    CHECK(judge_case(s, caps, true, EntryCheckFailure{"", "", ""}, true, CpuVerdict::refused, &d) ==
          DiffOutcome::bochs_deviation);
    CHECK(bochs_refuses_explained(unrestricted_long_mode(), caps) == nullptr);
}

TEST_CASE("Bochs' CS rule explains accepting a CS.DPL unlike SS.DPL only with unrestricted guest") {
    const VmxCaps caps = bochs_skylake_caps();
    VmxState s = unrestricted_long_mode();
    s.guest.ss.access_rights |= 2 << AR_DPL_SHIFT; // SS.DPL 2, CS.DPL 0 = CS.RPL
    CHECK(name_of(bochs_accepts_explained(s, caps, refusal(s))) ==
          "cs_dpl_not_checked_against_ss_dpl");
    s.guest.cs.selector |= 1; // CS.RPL 1 = no longer Bochs' rule either
    CHECK(bochs_accepts_explained(s, caps, refusal(s)) == nullptr);
    VmxState r = good_long_mode(); // no unrestricted guest: SS.DPL must equal SS.RPL anyway
    r.guest.cs.access_rights |= 2 << AR_DPL_SHIFT;
    r.guest.cs.selector |= 2;
    r.guest.ss.selector |= 2;
    r.guest.ss.access_rights |= 1 << AR_DPL_SHIFT;
    CHECK(bochs_accepts_explained(r, caps, refusal(r)) == nullptr);
}

TEST_CASE("Bochs' TSC-multiplier rule explains a refusal only with \"use TSC scaling\"") {
    const VmxCaps caps = bochs_skylake_caps();
    VmxState s = good_long_mode();
    CHECK(bochs_refuses_explained(s, caps) == nullptr);
    s.ctl.proc_based2 |= PROC2_USE_TSC_SCALING;
    CHECK(name_of(bochs_refuses_explained(s, caps)) == "tsc_scaling_with_zero_multiplier");
    s.ctl.proc_based &= ~PROC_ACTIVATE_SECONDARY; // the secondary controls are then all 0
    CHECK(bochs_refuses_explained(s, caps) == nullptr);
}

TEST_CASE("the deviation list is short, named and cited") {
    unsigned n = 0;
    const BochsDeviation* all = bochs_deviations(&n);
    CHECK(n <= 10);
    for (unsigned i = 0; i < n; ++i) {
        CHECK(std::string(all[i].section).rfind("SDM Vol 3C 27.", 0) == 0);
        CHECK(std::string(all[i].name).size() > 0);
    }
}
