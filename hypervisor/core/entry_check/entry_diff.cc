// The Bochs 2.7 deviations from the SDM that the differential test allows for, each found by a
// disagreement and confirmed in Bochs' VM-entry code (cpu/vmx.cc, VMenterLoadCheck*), and the
// judging of one case.
#include "hypervisor/core/entry_check/entry_diff.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

enum : unsigned {
    DEV_IA32E_WITHOUT_PAGING,
    DEV_MTF_EVENT_WITHOUT_MTF,
    DEV_RIP_NONCANONICAL,
    DEV_PENDING_DBG_HIGH,
    DEV_DEBUGCTL_RESERVED,
    DEV_CS_RPL_UNRESTRICTED,
    DEV_CS_SS_DPL_UNRESTRICTED,
    DEV_TSC_MULTIPLIER_ZERO,
    DEV_COUNT
};

constexpr BochsDeviation DEVIATIONS[DEV_COUNT] = {
    {"ia32e_guest_without_paging", "SDM Vol 3C 27.3.1.1",
     "an \"IA-32e mode guest\" with CR0.PG = 0 (unrestricted guest) passes the checks and then "
     "panics Bochs (\"VMENTER CR0 is broken\")",
     DeviationKind::panics},
    {"mtf_event_without_mtf", "SDM Vol 3C 27.2.1.3",
     "injecting interruption type 7 (other event) on a CPU without monitor trap flag passes the "
     "checks and then panics Bochs (\"unsupported event injection type\")",
     DeviationKind::panics},
    {"guest_rip_noncanonical", "SDM Vol 3C 27.3.1.4",
     "a non-canonical guest RIP in 64-bit mode is accepted (only bits 63:32 are checked, and "
     "only outside 64-bit mode)",
     DeviationKind::accepts},
    {"pending_dbg_bits_63_32", "SDM Vol 3C 27.3.1.5",
     "pending-debug-exceptions bits 63:32 are not checked (the field is read as 32 bits)",
     DeviationKind::accepts},
    {"debugctl_reserved_bits", "SDM Vol 3C 27.3.1.1",
     "the reserved bits of the guest IA32_DEBUGCTL are not checked", DeviationKind::accepts},
    {"cs_dpl_checked_against_cs_rpl", "SDM Vol 3C 27.3.1.2",
     "with \"unrestricted guest\", CS.DPL must still equal CS.RPL (non-conforming) or not exceed "
     "it (conforming), a rule the SDM replaced by comparing CS.DPL with SS.DPL",
     DeviationKind::refuses},
    {"cs_dpl_not_checked_against_ss_dpl", "SDM Vol 3C 27.3.1.2",
     "with \"unrestricted guest\", a CS.DPL that differs from SS.DPL (non-conforming) or exceeds "
     "it (conforming) is accepted as long as it fits CS.RPL, the rule Bochs checks instead",
     DeviationKind::accepts},
    {"tsc_scaling_with_zero_multiplier", "SDM Vol 3C 27.2.1.1",
     "\"use TSC scaling\" with a TSC multiplier of 0 fails with VM-instruction error 7; the SDM "
     "has no such check (and the multiplier is not part of VmxState)",
     DeviationKind::refuses},
};

bool same(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

bool unrestricted(const VmxState& s) {
    return (s.ctl.proc_based & PROC_ACTIVATE_SECONDARY) &&
           (s.ctl.proc_based2 & PROC2_UNRESTRICTED_GUEST);
}

bool ia32e(const VmxState& s) {
    return (s.ctl.entry & ENTRY_IA32E_MODE_GUEST) != 0;
}

bool in_64bit_mode(const VmxState& s) {
    return ia32e(s) && (s.guest.cs.access_rights & AR_L);
}

/// Bochs' CS rule, from the SDM before "unrestricted guest": a non-conforming CS has DPL = RPL,
/// a conforming one DPL <= RPL. (The SDM's rule compares CS.DPL with SS.DPL; without
/// unrestricted guest SS.DPL = SS.RPL = CS.RPL, so the two rules agree.)
bool bochs_cs_rule_ok(const Segment& cs) {
    const uint32_t type = cs.access_rights & AR_TYPE_MASK;
    const uint32_t dpl = (cs.access_rights >> AR_DPL_SHIFT) & 3, rpl = cs.selector & 3u;
    if (type == 9 || type == 11) return rpl == dpl;
    if (type == 13 || type == 15) return rpl >= dpl;
    return true;
}

/// The SDM's CS rule (27.3.1.2, access rights, DPL) for code types.
bool sdm_cs_rule_ok(const Segment& cs, const Segment& ss) {
    const uint32_t type = cs.access_rights & AR_TYPE_MASK;
    const uint32_t dpl = (cs.access_rights >> AR_DPL_SHIFT) & 3;
    const uint32_t ss_dpl = (ss.access_rights >> AR_DPL_SHIFT) & 3;
    if (type == 9 || type == 11) return dpl == ss_dpl;
    if (type == 13 || type == 15) return dpl <= ss_dpl;
    return true;
}

} // namespace

const BochsDeviation* bochs_deviations(unsigned* count) {
    *count = DEV_COUNT;
    return DEVIATIONS;
}

const BochsDeviation* bochs_panics_on(const VmxState& s, const VmxCaps& caps) {
    if (ia32e(s) && unrestricted(s) && !(s.guest.cr0 & CR0_PG))
        return &DEVIATIONS[DEV_IA32E_WITHOUT_PAGING];
    const uint32_t info = s.ctl.entry_intr_info;
    const bool mtf = (caps.true_procbased_ctls >> 32) & PROC_MONITOR_TRAP_FLAG;
    if ((info & INTR_INFO_VALID) && ((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_OTHER && !mtf)
        return &DEVIATIONS[DEV_MTF_EVENT_WITHOUT_MTF];
    return nullptr;
}

const BochsDeviation* bochs_accepts_explained(const VmxState& s, const VmxCaps&,
                                              const EntryCheckFailure& why) {
    if (same(why.field, "GUEST_RIP") && in_64bit_mode(s)) return &DEVIATIONS[DEV_RIP_NONCANONICAL];
    if (same(why.field, "GUEST_PENDING_DBG_EXCEPTIONS") && (s.guest.pending_dbg_exceptions >> 32))
        return &DEVIATIONS[DEV_PENDING_DBG_HIGH];
    if (same(why.field, "GUEST_IA32_DEBUGCTL")) return &DEVIATIONS[DEV_DEBUGCTL_RESERVED];
    const Segment& cs = s.guest.cs;
    if (same(why.field, "GUEST_CS_AR_BYTES") && unrestricted(s) && !(s.guest.rflags & RFLAGS_VM) &&
        !sdm_cs_rule_ok(cs, s.guest.ss) && bochs_cs_rule_ok(cs))
        return &DEVIATIONS[DEV_CS_SS_DPL_UNRESTRICTED];
    return nullptr;
}

const BochsDeviation* bochs_refuses_explained(const VmxState& s, const VmxCaps&) {
    if (unrestricted(s) && !(s.guest.rflags & RFLAGS_VM) && !bochs_cs_rule_ok(s.guest.cs))
        return &DEVIATIONS[DEV_CS_RPL_UNRESTRICTED];
    if ((s.ctl.proc_based & PROC_ACTIVATE_SECONDARY) && (s.ctl.proc_based2 & PROC2_USE_TSC_SCALING))
        return &DEVIATIONS[DEV_TSC_MULTIPLIER_ZERO];
    return nullptr;
}

DiffOutcome judge_case(const VmxState& s, const VmxCaps& caps, bool checker_ok,
                       const EntryCheckFailure& why, bool launched, CpuVerdict cpu,
                       const BochsDeviation** deviation) {
    *deviation = nullptr;
    if (!launched) {
        *deviation = bochs_panics_on(s, caps);
        return *deviation ? DiffOutcome::bochs_deviation : DiffOutcome::cpu_other;
    }
    if (cpu == CpuVerdict::other) return DiffOutcome::cpu_other;
    const bool cpu_ok = cpu == CpuVerdict::accepted;
    if (checker_ok == cpu_ok) return cpu_ok ? DiffOutcome::agree_accept : DiffOutcome::agree_refuse;
    *deviation =
        checker_ok ? bochs_refuses_explained(s, caps) : bochs_accepts_explained(s, caps, why);
    if (*deviation) return DiffOutcome::bochs_deviation;
    return checker_ok ? DiffOutcome::checker_too_lax : DiffOutcome::checker_too_rigid;
}

const char* diff_outcome_name(DiffOutcome o) {
    switch (o) {
    case DiffOutcome::agree_accept:
        return "agree_accept";
    case DiffOutcome::agree_refuse:
        return "agree_refuse";
    case DiffOutcome::bochs_deviation:
        return "bochs_deviation";
    case DiffOutcome::checker_too_lax:
        return "checker_accepts_cpu_refuses";
    case DiffOutcome::checker_too_rigid:
        return "checker_refuses_cpu_accepts";
    case DiffOutcome::cpu_other:
        return "cpu_other";
    }
    return "unknown";
}

} // namespace hv
