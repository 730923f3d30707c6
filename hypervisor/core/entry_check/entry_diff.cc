// The Bochs 2.7 deviations from the SDM that the differential test allows for, each found by a
// disagreement and confirmed in Bochs' VM-entry code (cpu/vmx.cc, VMenterLoadCheck*), and the
// judging of one case.
#include "hypervisor/core/entry_check/entry_diff.h"

#include "hypervisor/core/entry_check/vmx_bits.h"

namespace hv {

using namespace vmx_bits;

namespace {

enum : unsigned {
    DEV_IA32E_WITHOUT_PAGING,
    DEV_MTF_EVENT_WITHOUT_MTF,
    DEV_RIP_NONCANONICAL,
    DEV_PENDING_DBG_HIGH,
    DEV_DEBUGCTL_RESERVED,
    DEV_SS_64BIT_UNCHECKED,
    DEV_CS_RPL_UNRESTRICTED,
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
    {"ss_of_64bit_guest_unchecked", "SDM Vol 3C 27.3.1.2",
     "for a 64-bit guest whose SS selector has RPL 0, SS's base and access rights (but for "
     "DPL) are not checked, even when SS is usable",
     DeviationKind::accepts},
    {"cs_rpl_with_unrestricted_guest", "SDM Vol 3C 27.3.1.2",
     "CS.RPL must equal CS.DPL (non-conforming) or be at least CS.DPL (conforming) even with "
     "\"unrestricted guest\", where the SDM only compares CS.DPL with SS.DPL",
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

const BochsDeviation* bochs_accepts_explained(const VmxState& s, const VmxCaps& caps,
                                              const EntryCheckFailure& why) {
    if (same(why.field, "GUEST_RIP") && in_64bit_mode(s))
        return &DEVIATIONS[DEV_RIP_NONCANONICAL];
    if (same(why.field, "GUEST_PENDING_DBG_EXCEPTIONS") && (s.guest.pending_dbg_exceptions >> 32))
        return &DEVIATIONS[DEV_PENDING_DBG_HIGH];
    if (same(why.field, "GUEST_IA32_DEBUGCTL")) return &DEVIATIONS[DEV_DEBUGCTL_RESERVED];
    const Segment& ss = s.guest.ss;
    if ((same(why.field, "GUEST_SS_BASE") || same(why.field, "GUEST_SS_AR_BYTES")) &&
        in_64bit_mode(s) && (ss.selector & 3) == 0) {
        // What Bochs checks of SS here is its DPL: the state must pass with SS otherwise flat.
        VmxState t = s;
        t.guest.ss = Segment{ss.selector, 0, 0xFFFFFFFF, 0xC093 | (ss.access_rights & 0x60)};
        if (check_vm_entry(t, caps, nullptr).ok()) return &DEVIATIONS[DEV_SS_64BIT_UNCHECKED];
    }
    return nullptr;
}

const BochsDeviation* bochs_refuses_explained(const VmxState& s, const VmxCaps&) {
    const Segment& cs = s.guest.cs;
    const uint32_t type = cs.access_rights & AR_TYPE_MASK;
    const uint32_t dpl = (cs.access_rights >> AR_DPL_SHIFT) & 3, rpl = cs.selector & 3u;
    const bool nonconforming = type == 9 || type == 11, conforming = type == 13 || type == 15;
    if (unrestricted(s) && !(s.guest.rflags & RFLAGS_VM) &&
        ((nonconforming && rpl != dpl) || (conforming && rpl < dpl)))
        return &DEVIATIONS[DEV_CS_RPL_UNRESTRICTED];
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
