// VM-entry checker, guest state (SDM 27.3.1): each row breaks one rule of a known-good state and
// the failure must name exactly that VMCS field.
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"

#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;
using namespace hv::vmx_bits;
using namespace kern::x86;
using B = Base;

/// A mutation body with the state `s` (guest state as `g`) and capabilities `c` in scope.
#define MUT(...)                                                                                   \
    [](VmxState& s, VmxCaps& c) {                                                                  \
        VmxGuestState& g = s.guest;                                                                \
        (void)g;                                                                                   \
        (void)c;                                                                                   \
        __VA_ARGS__;                                                                               \
    }

namespace {
constexpr uint64_t NONCANONICAL = 0x0000800000000000ULL;
constexpr uint64_t BEYOND_MAXPHYADDR = 1ULL << 40;
} // namespace

TEST_CASE("guest control-register and MSR mutations name the field (SDM 27.3.1.1)") {
    static const Mutation rows[] = {
        {"CR0.NE cleared", B::long_mode, MUT(g.cr0 &= ~(1ULL << 5)), "GUEST_CR0"},
        {"CR0.PG cleared without unrestricted guest", B::protected32, MUT(g.cr0 &= ~CR0_PG),
         "GUEST_CR0"},
        {"real mode without unrestricted guest", B::real_mode,
         MUT(s.ctl.proc_based2 &= ~PROC2_UNRESTRICTED_GUEST), "GUEST_CR0"},
        {"CR0 bit 32", B::protected32, MUT(g.cr0 |= 1ULL << 32), "GUEST_CR0"},
        {"CR0.PG without CR0.PE", B::real_mode, MUT(g.cr0 |= CR0_PG), "GUEST_CR0"},
        {"CR4.VMXE cleared", B::protected32, MUT(g.cr4 &= ~0x2000ULL), "GUEST_CR4"},
        {"IA-32e guest without CR4.PAE", B::long_mode, MUT(g.cr4 &= ~CR4_PAE), "GUEST_CR4"},
        {"CR4.PCIDE outside IA-32e", B::protected32, MUT(g.cr4 |= CR4_PCIDE), "GUEST_CR4"},
        {"DEBUGCTL reserved bit 2", B::long_mode, MUT(g.debugctl = 4), "GUEST_IA32_DEBUGCTL"},
        {"CR3 beyond MAXPHYADDR", B::long_mode, MUT(g.cr3 |= BEYOND_MAXPHYADDR), "GUEST_CR3"},
        {"DR7 bit 32", B::long_mode, MUT(g.dr7 |= 1ULL << 32), "GUEST_DR7"},
        {"SYSENTER_ESP non-canonical", B::long_mode, MUT(g.sysenter_esp = NONCANONICAL),
         "GUEST_SYSENTER_ESP"},
        {"PAT type 3", B::long_mode, MUT(g.pat |= 3ULL << 56), "GUEST_IA32_PAT"},
        {"EFER reserved bit 9", B::long_mode, MUT(g.efer |= 1ULL << 9), "GUEST_IA32_EFER"},
        {"EFER.LMA cleared in an IA-32e guest", B::long_mode, MUT(g.efer &= ~IA32_EFER_LMA),
         "GUEST_IA32_EFER"},
        {"EFER.LME cleared with paging on", B::long_mode, MUT(g.efer &= ~IA32_EFER_LME),
         "GUEST_IA32_EFER"},
        {"EFER.LMA set in a real-mode guest", B::real_mode, MUT(g.efer |= IA32_EFER_LMA),
         "GUEST_IA32_EFER"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("guest segment mutations name the field (SDM 27.3.1.2)") {
    static const Mutation rows[] = {
        {"TR TI set", B::long_mode, MUT(g.tr.selector |= 4), "GUEST_TR_SELECTOR"},
        {"LDTR TI set", B::protected32, MUT(g.ldtr.selector |= 4), "GUEST_LDTR_SELECTOR"},
        {"SS RPL differs from CS RPL", B::long_mode, MUT(g.ss.selector |= 3), "GUEST_SS_SELECTOR"},
        {"TR base non-canonical", B::long_mode, MUT(g.tr.base = NONCANONICAL), "GUEST_TR_BASE"},
        {"unusable FS base non-canonical", B::long_mode, MUT(g.fs.base = NONCANONICAL),
         "GUEST_FS_BASE"},
        {"CS base bit 32", B::protected32, MUT(g.cs.base = 1ULL << 32), "GUEST_CS_BASE"},
        {"DS base bit 32", B::protected32, MUT(g.ds.base = 1ULL << 32), "GUEST_DS_BASE"},
        {"SS DPL differs from SS RPL", B::long_mode, MUT(g.ss.access_rights |= 3 << 5),
         "GUEST_SS_AR_BYTES"},
        {"SS DPL 3 in real mode", B::real_mode, MUT(g.ss.access_rights |= 3 << 5),
         "GUEST_SS_AR_BYTES"},
        {"SS type 1 (read-only)", B::long_mode, MUT(g.ss.access_rights = 0xc091),
         "GUEST_SS_AR_BYTES"},
        {"CS data type without unrestricted guest", B::long_mode, MUT(g.cs.access_rights = 0xa093),
         "GUEST_CS_AR_BYTES"},
        {"CS S bit cleared", B::long_mode, MUT(g.cs.access_rights &= ~AR_S), "GUEST_CS_AR_BYTES"},
        {"CS DPL 3 with SS DPL 0", B::long_mode, MUT(g.cs.access_rights |= 3 << 5),
         "GUEST_CS_AR_BYTES"},
        {"CS with L and D/B", B::long_mode, MUT(g.cs.access_rights |= AR_DB), "GUEST_CS_AR_BYTES"},
        {"unusable CS of a data type", B::long_mode, MUT(g.cs.access_rights = AR_UNUSABLE | 0xa093),
         "GUEST_CS_AR_BYTES"},
        {"CS not present", B::real_mode, MUT(g.cs.access_rights &= ~AR_P), "GUEST_CS_AR_BYTES"},
        {"CS reserved bit 8", B::protected32, MUT(g.cs.access_rights |= 1 << 8),
         "GUEST_CS_AR_BYTES"},
        {"DS not accessed", B::long_mode, MUT(g.ds.access_rights &= ~1u), "GUEST_DS_AR_BYTES"},
        {"DS not present", B::long_mode, MUT(g.ds.access_rights &= ~AR_P), "GUEST_DS_AR_BYTES"},
        {"DS 4 GiB limit with G = 0", B::protected32, MUT(g.ds.access_rights &= ~AR_G),
         "GUEST_DS_AR_BYTES"},
        {"ES G = 1 with limit bits 11:0 clear", B::protected32, MUT(g.es.limit = 0xff000),
         "GUEST_ES_AR_BYTES"},
        {"ES execute-only code", B::protected32, MUT(g.es.access_rights = 0xc099),
         "GUEST_ES_AR_BYTES"},
        {"FS reserved bit 17", B::protected32, MUT(g.fs.access_rights |= 1u << 17),
         "GUEST_FS_AR_BYTES"},
        {"GS DPL below RPL", B::protected32, MUT(g.gs.selector |= 3), "GUEST_GS_AR_BYTES"},
        {"16-bit TSS in an IA-32e guest", B::long_mode, MUT(g.tr.access_rights = 0x83),
         "GUEST_TR_AR_BYTES"},
        {"TR available (not busy)", B::protected32, MUT(g.tr.access_rights = 0x89),
         "GUEST_TR_AR_BYTES"},
        {"TR S bit set", B::long_mode, MUT(g.tr.access_rights |= AR_S), "GUEST_TR_AR_BYTES"},
        {"TR unusable", B::long_mode, MUT(g.tr.access_rights |= AR_UNUSABLE), "GUEST_TR_AR_BYTES"},
        {"LDTR type 3", B::protected32, MUT(g.ldtr.access_rights = 0x83), "GUEST_LDTR_AR_BYTES"},
        {"LDTR not present", B::protected32, MUT(g.ldtr.access_rights &= ~AR_P),
         "GUEST_LDTR_AR_BYTES"},
        {"v8086 CS base not selector << 4", B::v8086, MUT(g.cs.base += 0x10), "GUEST_CS_BASE"},
        {"v8086 DS limit 0xFFFE", B::v8086, MUT(g.ds.limit = 0xfffe), "GUEST_DS_LIMIT"},
        {"v8086 SS access rights 0x93", B::v8086, MUT(g.ss.access_rights = 0x93),
         "GUEST_SS_AR_BYTES"},
        {"v8086 TR type 1 (available 16-bit TSS)", B::v8086, MUT(g.tr.access_rights = 0x81),
         "GUEST_TR_AR_BYTES"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("guest descriptor-table, RIP and RFLAGS mutations name the field (SDM 27.3.1.3-4)") {
    static const Mutation rows[] = {
        {"GDTR limit 0x10000", B::protected32, MUT(g.gdtr_limit = 0x10000), "GUEST_GDTR_LIMIT"},
        {"IDTR base non-canonical", B::long_mode, MUT(g.idtr_base = NONCANONICAL),
         "GUEST_IDTR_BASE"},
        {"32-bit RIP bit 32", B::protected32, MUT(g.rip |= 1ULL << 32), "GUEST_RIP"},
        {"compatibility-mode RIP bit 32", B::long_mode,
         MUT(g.cs.access_rights = 0xc09b; g.rip |= 1ULL << 32), "GUEST_RIP"},
        {"64-bit RIP non-canonical", B::long_mode, MUT(g.rip = NONCANONICAL), "GUEST_RIP"},
        {"RFLAGS bit 1 cleared", B::long_mode, MUT(g.rflags = 0), "GUEST_RFLAGS"},
        {"RFLAGS bit 15", B::long_mode, MUT(g.rflags |= 1ULL << 15), "GUEST_RFLAGS"},
        {"RFLAGS bit 22", B::real_mode, MUT(g.rflags |= 1ULL << 22), "GUEST_RFLAGS"},
        {"RFLAGS.VM in real mode", B::real_mode,
         MUT(g.rflags |= RFLAGS_VM;
             for (Segment* r
                  : {&g.cs, &g.ss, &g.ds, &g.es, &g.fs, &g.gs}) r->access_rights = 0xf3),
         "GUEST_RFLAGS"},
        {"RFLAGS.VM in an IA-32e guest", B::v8086, MUT(s.ctl.entry |= ENTRY_IA32E_MODE_GUEST),
         "GUEST_RFLAGS"},
        {"IF clear while injecting an external interrupt", B::protected32,
         MUT(g.rflags &= ~RFLAGS_IF), "GUEST_RFLAGS"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("guest non-register state and PDPTE mutations name the field (SDM 27.3.1.5-6)") {
    static const Mutation rows[] = {
        {"activity state 4", B::long_mode, MUT(g.activity_state = 4), "GUEST_ACTIVITY_STATE"},
        {"wait-for-SIPI not supported", B::real_mode,
         MUT(g.activity_state = ACTIVITY_WAIT_SIPI; c.misc &= ~(1ULL << 8)),
         "GUEST_ACTIVITY_STATE"},
        {"HLT woken by #GP", B::long_mode,
         MUT(g.activity_state = ACTIVITY_HLT; s.ctl.entry_intr_info = 0x80000b0d),
         "GUEST_ACTIVITY_STATE"},
        {"shutdown woken by an external interrupt", B::protected32,
         MUT(g.activity_state = ACTIVITY_SHUTDOWN), "GUEST_ACTIVITY_STATE"},
        {"wait-for-SIPI with an injected event", B::protected32,
         MUT(g.activity_state = ACTIVITY_WAIT_SIPI), "GUEST_ACTIVITY_STATE"},
        {"HLT with MOV-SS blocking", B::long_mode,
         MUT(g.activity_state = ACTIVITY_HLT; g.interruptibility = BLOCKING_BY_MOV_SS),
         "GUEST_ACTIVITY_STATE"},
        {"interruptibility bit 5", B::long_mode, MUT(g.interruptibility = 1u << 5),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"STI and MOV-SS blocking together", B::long_mode,
         MUT(g.rflags |= RFLAGS_IF; g.interruptibility = BLOCKING_BY_STI | BLOCKING_BY_MOV_SS),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"STI blocking with IF = 0", B::long_mode, MUT(g.interruptibility = BLOCKING_BY_STI),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"STI blocking while injecting an external interrupt", B::protected32,
         MUT(g.interruptibility = BLOCKING_BY_STI), "GUEST_INTERRUPTIBILITY_INFO"},
        {"MOV-SS blocking while injecting an NMI", B::long_mode,
         MUT(s.ctl.entry_intr_info = 0x80000202; g.interruptibility = BLOCKING_BY_MOV_SS),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"SMI blocking outside SMM", B::long_mode, MUT(g.interruptibility = BLOCKING_BY_SMI),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"NMI blocking while injecting a virtual NMI", B::long_mode,
         MUT(s.ctl.entry_intr_info = 0x80000202; g.interruptibility = BLOCKING_BY_NMI),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"pending debug bit 4", B::long_mode, MUT(g.pending_dbg_exceptions = 1u << 4),
         "GUEST_PENDING_DBG_EXCEPTIONS"},
        {"single step deferred by STI but BS clear", B::long_mode,
         MUT(g.rflags |= RFLAGS_IF | RFLAGS_TF; g.interruptibility = BLOCKING_BY_STI),
         "GUEST_PENDING_DBG_EXCEPTIONS"},
        {"BS set in HLT without TF", B::long_mode,
         MUT(g.activity_state = ACTIVITY_HLT; g.pending_dbg_exceptions = 1u << 14),
         "GUEST_PENDING_DBG_EXCEPTIONS"},
        {"RTM without bit 12", B::long_mode, MUT(c.rtm = true; g.pending_dbg_exceptions = 1u << 16),
         "GUEST_PENDING_DBG_EXCEPTIONS"},
        {"RTM on a CPU without RTM", B::long_mode,
         MUT(g.pending_dbg_exceptions = (1u << 16) | (1u << 12)), "GUEST_PENDING_DBG_EXCEPTIONS"},
        {"enclave interruption on a CPU without SGX", B::long_mode,
         MUT(g.interruptibility = ENCLAVE_INTERRUPTION), "GUEST_INTERRUPTIBILITY_INFO"},
        {"enclave interruption with MOV-SS blocking", B::long_mode,
         MUT(c.sgx = true; g.interruptibility = ENCLAVE_INTERRUPTION | BLOCKING_BY_MOV_SS),
         "GUEST_INTERRUPTIBILITY_INFO"},
        {"VMCS link pointer 0", B::long_mode, MUT(g.vmcs_link_pointer = 0), "VMCS_LINK_POINTER"},
        {"PDPTE0 reserved bit 5", B::protected32, MUT(g.pdpte[0] |= 1u << 5), "GUEST_PDPTR0"},
        {"PDPTE3 beyond MAXPHYADDR", B::protected32, MUT(g.pdpte[3] |= BEYOND_MAXPHYADDR),
         "GUEST_PDPTR3"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}

namespace {
/// The known-good state @p b with @p mutate applied must still pass the checks.
void require_accepted(Base b, void (*mutate)(VmxState&, VmxCaps&)) {
    VmxState s = make_base(b);
    VmxCaps caps = bochs_skylake_caps();
    mutate(s, caps);
    EntryCheckFailure f{};
    const auto r = check_vm_entry(s, caps, &f);
    INFO("refused at " << f.field << ": " << f.message);
    REQUIRE(r.ok());
}
} // namespace

TEST_CASE("feature-dependent bits are accepted where the CPU has the feature (SDM 27.3.1.5)") {
    require_accepted(B::long_mode, MUT(c.sgx = true; g.interruptibility = ENCLAVE_INTERRUPTION));
    require_accepted(B::long_mode,
                     MUT(c.rtm = true; g.pending_dbg_exceptions = (1u << 16) | (1u << 12)));
}

TEST_CASE("an unusable CS is judged by its other access rights (SDM 27.3.1.2)") {
    // The SDM's CS rules do not depend on bit 16, and bit 16 is not among the reserved bits.
    require_accepted(B::long_mode, MUT(g.cs.access_rights |= AR_UNUSABLE));
    require_accepted(B::protected32, MUT(g.cs.access_rights |= AR_UNUSABLE));
}
