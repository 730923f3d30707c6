// The differential test's case generator (perturb.h): deterministic, one change per case from a
// state the checker accepts, and never a change that would hurt the master if the CPU took it.
#include "hypervisor/core/entry_check/perturb.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/vmx_bits.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

using namespace hv;
using namespace hv::test;
using namespace hv::vmx_bits;
using namespace kern::x86;

namespace {
constexpr PerturbEnv ENV{0x500000, 0x501000, 0x502000};
constexpr uint64_t SEED = 42;

VmxState prepared_base(Base b) {
    VmxState s = make_base(b);
    prepare_perturb_base(s, ENV);
    return s;
}

/// Every case of the first @p rounds passes over the kind table, for the given bases.
template <typename F> void for_cases(unsigned rounds, F f) {
    const VmxCaps caps = bochs_skylake_caps();
    // Protected-mode bases: injecting #GP with an error code is refused in real mode.
    for (Base b : {Base::long_mode, Base::protected32, Base::v8086}) {
        const VmxState base = prepared_base(b);
        for (unsigned i = 0; i < rounds * perturb_kind_count(); ++i) {
            static PerturbCase c;
            make_perturb_case(base, caps, ENV, SEED, i, c);
            f(base, caps, c, i);
        }
    }
}
} // namespace

TEST_CASE("prepare_perturb_base keeps a known-good state good and points it at the pages") {
    for (Base b : {Base::long_mode, Base::protected32, Base::real_mode, Base::v8086}) {
        const VmxState s = prepared_base(b);
        CHECK(check_vm_entry(s, bochs_skylake_caps(), nullptr).ok());
        CHECK(s.ctl.entry_msr_load_count == 0);
        CHECK(s.ctl.entry_msr_load_addr == ENV.msr_area);
        CHECK(s.ctl.virtual_apic_page == ENV.virtual_apic);
        CHECK(s.ctl.apic_access_addr == ENV.apic_access);
    }
}

TEST_CASE("each case changes its prepared state, which the checker accepts") {
    for_cases(6, [](const VmxState&, const VmxCaps& caps, const PerturbCase& c, unsigned i) {
        INFO("case " << i << " kind " << c.kind << " field " << c.field);
        EntryCheckFailure why{};
        const bool ok = check_vm_entry(c.prepared, caps, &why).ok();
        INFO("prepared state refused at " << why.field << ": " << why.message);
        REQUIRE(ok);
        REQUIRE(std::string(c.field).size() > 0);
        REQUIRE(std::memcmp(&c.prepared, &c.state, sizeof(VmxState)) != 0);
    });
}

TEST_CASE("cases are deterministic, cover every kind, and depend on the seed") {
    const VmxCaps caps = bochs_skylake_caps();
    const VmxState base = prepared_base(Base::long_mode);
    static PerturbCase a, b;
    std::set<unsigned> kinds;
    unsigned differ = 0;
    for (unsigned i = 0; i < 3 * perturb_kind_count(); ++i) {
        make_perturb_case(base, caps, ENV, SEED, i, a);
        make_perturb_case(base, caps, ENV, SEED, i, b);
        REQUIRE(std::memcmp(&a.state, &b.state, sizeof(VmxState)) == 0);
        REQUIRE(a.value == b.value);
        kinds.insert(a.kind);
        make_perturb_case(base, caps, ENV, SEED + 1, i, b);
        differ += std::memcmp(&a.state, &b.state, sizeof(VmxState)) != 0;
    }
    CHECK(kinds.size() == perturb_kind_count());
    CHECK(differ > perturb_kind_count());
}

TEST_CASE("no case makes a change the CPU would accept and the master would not survive") {
    for_cases(12, [](const VmxState&, const VmxCaps& caps, const PerturbCase& c, unsigned i) {
        INFO("case " << i << " field " << c.field << " value " << c.value);
        const VmxState& p = c.prepared;
        const VmxState& s = c.state;
        CHECK((s.ctl.pin_based & PIN_EXTERNAL_INTERRUPT_EXITING) ==
              (p.ctl.pin_based & PIN_EXTERNAL_INTERRUPT_EXITING));
        CHECK((s.ctl.proc_based & PROC_ACTIVATE_SECONDARY) ==
              (p.ctl.proc_based & PROC_ACTIVATE_SECONDARY));
        CHECK((s.ctl.exit & EXIT_LOAD_IA32_EFER) == (p.ctl.exit & EXIT_LOAD_IA32_EFER));
        CHECK((s.ctl.exit & (1u << 15)) == (p.ctl.exit & (1u << 15)));
        CHECK((s.ctl.proc_based2 & PROC2_VMCS_SHADOWING) == 0);
        CHECK(s.guest.activity_state != ACTIVITY_SHUTDOWN);
        CHECK(s.guest.activity_state != ACTIVITY_WAIT_SIPI);
        // MSR lists stay inside the prepared page or are refused.
        const bool accepted = check_vm_entry(s, caps, nullptr).ok();
        if (accepted) {
            for (auto [addr, n] :
                 {std::pair{s.ctl.exit_msr_store_addr, s.ctl.exit_msr_store_count},
                  std::pair{s.ctl.exit_msr_load_addr, s.ctl.exit_msr_load_count},
                  std::pair{s.ctl.entry_msr_load_addr, s.ctl.entry_msr_load_count}})
                if (n) CHECK((addr >= ENV.msr_area && addr + 16 * n <= ENV.msr_area + 4096));
        }
        // Host changes: refused by the checker, or only in what the test restores after the exit.
        const VmxHostState& h = s.host;
        const VmxHostState& o = p.host;
        const bool unrestorable =
            h.cr0 != o.cr0 || h.cr3 != o.cr3 || h.cr4 != o.cr4 || h.es_selector != o.es_selector ||
            h.cs_selector != o.cs_selector || (h.ss_selector != o.ss_selector && h.ss_selector) ||
            h.ds_selector != o.ds_selector || h.fs_selector != o.fs_selector ||
            h.gs_selector != o.gs_selector || h.tr_selector != o.tr_selector ||
            h.gs_base != o.gs_base || h.tr_base != o.tr_base || h.gdtr_base != o.gdtr_base ||
            h.idtr_base != o.idtr_base || h.efer != o.efer || h.rip != o.rip;
        if (unrestorable) CHECK_FALSE(accepted);
    });
}

TEST_CASE("fill_msr_area writes 256 entries naming the list MSR") {
    static uint64_t page[512];
    fill_msr_area(page, 0x1234);
    for (unsigned i = 0; i < 256; ++i) {
        REQUIRE(page[2 * i] == PERTURB_LIST_MSR);
        REQUIRE(page[2 * i + 1] == 0x1234);
    }
}
