// SDM Vol 3C 27.3.1.5 "Checks on Guest Non-Register State" (26.3.1.5 in pre-2023 editions):
// activity state, interruptibility state, pending debug exceptions and the VMCS link pointer,
// each judged together with the event being injected (VM_ENTRY_INTR_INFO_FIELD).
#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv::entry_check_detail {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// The event VM entry injects, decoded once.
struct Event {
    bool valid;      ///< VM_ENTRY_INTR_INFO_FIELD bit 31
    uint32_t type;   ///< interruption type, bits 10:8
    uint32_t vector; ///< vector, bits 7:0
};

Event decode(uint32_t info) {
    return Event{(info & INTR_INFO_VALID) != 0, (info >> INTR_INFO_TYPE_SHIFT) & 7,
                 info & INTR_INFO_VECTOR_MASK};
}

bool is_nmi(const Event& e) {
    return e.valid && e.type == INTR_TYPE_NMI;
}
bool is_hw_exception(const Event& e, uint32_t vector) {
    return e.valid && e.type == INTR_TYPE_HW_EXCEPTION && e.vector == vector;
}

/// Which injected events each non-active activity state can take (27.3.1.5, activity state):
/// HLT wakes for an external interrupt, NMI, #DB, #MC or pending MTF; shutdown for NMI or #MC;
/// wait-for-SIPI for nothing.
bool event_fits_activity(const Event& e, uint32_t activity) {
    if (!e.valid || activity == ACTIVITY_ACTIVE) return true;
    switch (activity) {
    case ACTIVITY_HLT:
        return e.type == INTR_TYPE_EXTERNAL || e.type == INTR_TYPE_NMI || is_hw_exception(e, 1) ||
               is_hw_exception(e, 18) || (e.type == INTR_TYPE_OTHER && e.vector == 0);
    case ACTIVITY_SHUTDOWN:
        return is_nmi(e) || is_hw_exception(e, 18);
    default:
        return false;
    }
}

/// Pending-debug-exceptions bits that must be 0: 11:4, 13, 15 and 63:17.
constexpr uint64_t PENDING_DBG_RESERVED = 0xFF0 | bit(13) | bit(15) | ~uint64_t{0x1FFFF};
constexpr uint64_t PENDING_DBG_BS = bit(14);  ///< single-step (BS)
constexpr uint64_t PENDING_DBG_RTM = bit(16); ///< RTM
constexpr uint64_t DEBUGCTL_BTF = bit(1);     ///< single-step on branches

} // namespace

kern::Result<void> check_guest_nonreg(const Ctx& ctx) {
    const VmxGuestState& g = ctx.s.guest;
    const Event ev = decode(ctx.s.ctl.entry_intr_info);
    const uint32_t activity = g.activity_state;
    const uint32_t intr = g.interruptibility;

    // Activity state. IA32_VMX_MISC bits 6, 7, 8 advertise HLT, shutdown, wait-for-SIPI.
    EC_REQUIRE(activity <= ACTIVITY_WAIT_SIPI, "GUEST_ACTIVITY_STATE", SEC_GUEST_NONREG,
               "activity state must be 0 (active), 1 (HLT), 2 (shutdown) or 3 (wait-for-SIPI)");
    EC_REQUIRE(activity == ACTIVITY_ACTIVE || (ctx.caps.misc & bit(5 + activity)),
               "GUEST_ACTIVITY_STATE", SEC_GUEST_NONREG,
               "activity state not supported by IA32_VMX_MISC[8:6]");
    EC_REQUIRE(activity != ACTIVITY_HLT || ((g.ss.access_rights >> AR_DPL_SHIFT) & 3) == 0,
               "GUEST_ACTIVITY_STATE", SEC_GUEST_NONREG, "HLT activity state needs SS DPL 0");
    EC_REQUIRE(activity == ACTIVITY_ACTIVE || !(intr & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)),
               "GUEST_ACTIVITY_STATE", SEC_GUEST_NONREG,
               "with blocking by STI or MOV SS the activity state must be active");
    EC_REQUIRE(event_fits_activity(ev, activity), "GUEST_ACTIVITY_STATE", SEC_GUEST_NONREG,
               "the injected event cannot wake this activity state (HLT: ext. interrupt, NMI, "
               "#DB, #MC, MTF; shutdown: NMI, #MC; wait-for-SIPI: none)");

    // Interruptibility state.
    EC_REQUIRE((intr & ~0x1Fu) == 0, "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "interruptibility bits 31:5 are reserved and must be 0");
    EC_REQUIRE((intr & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)) !=
                   (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS),
               "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "blocking by STI and blocking by MOV SS cannot both be set");
    EC_REQUIRE(!(intr & BLOCKING_BY_STI) || (g.rflags & RFLAGS_IF), "GUEST_INTERRUPTIBILITY_INFO",
               SEC_GUEST_NONREG, "blocking by STI needs RFLAGS.IF = 1");
    EC_REQUIRE(!(ev.valid && ev.type == INTR_TYPE_EXTERNAL) ||
                   !(intr & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)),
               "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "an injected external interrupt needs no blocking by STI or MOV SS");
    // The SDM says a CPU "may" also refuse STI blocking with NMI injection: the kit refuses it.
    EC_REQUIRE(!is_nmi(ev) || !(intr & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)),
               "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "an injected NMI needs no blocking by STI or MOV SS");
    EC_REQUIRE(!(intr & BLOCKING_BY_SMI), "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "blocking by SMI must be 0 outside SMM");
    EC_REQUIRE(
        !((ctx.s.ctl.pin_based & PIN_VIRTUAL_NMIS) && is_nmi(ev) && (intr & BLOCKING_BY_NMI)),
        "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
        "with virtual NMIs, an injected NMI needs blocking by NMI = 0");
    // Bit 4 is defined only on CPUs with SGX; elsewhere it is as reserved as bits 31:5.
    EC_REQUIRE(!(intr & ENCLAVE_INTERRUPTION) || (ctx.caps.sgx && !(intr & BLOCKING_BY_MOV_SS)),
               "GUEST_INTERRUPTIBILITY_INFO", SEC_GUEST_NONREG,
               "enclave interruption (bit 4) needs SGX (CPUID.(EAX=07H,ECX=0):EBX[2]) and no "
               "blocking by MOV SS");

    // Pending debug exceptions. BS must mirror a single step that STI/MOV SS/HLT deferred.
    const uint64_t pd = g.pending_dbg_exceptions;
    EC_REQUIRE((pd & PENDING_DBG_RESERVED) == 0, "GUEST_PENDING_DBG_EXCEPTIONS", SEC_GUEST_NONREG,
               "pending debug exceptions bits 11:4, 13, 15 and 63:17 must be 0");
    if ((intr & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)) || activity == ACTIVITY_HLT) {
        const bool stepping = (g.rflags & RFLAGS_TF) && !(g.debugctl & DEBUGCTL_BTF);
        EC_REQUIRE(((pd & PENDING_DBG_BS) != 0) == stepping, "GUEST_PENDING_DBG_EXCEPTIONS",
                   SEC_GUEST_NONREG,
                   "with STI/MOV SS blocking or HLT, BS (bit 14) must be 1 exactly when "
                   "RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0");
    }
    // Bit 16 is defined only on CPUs with RTM; elsewhere it is as reserved as bits 63:17.
    if (pd & PENDING_DBG_RTM)
        EC_REQUIRE(ctx.caps.rtm && (pd & 0xEFFF) == 0 && (pd & bit(12)) &&
                       !(intr & BLOCKING_BY_MOV_SS),
                   "GUEST_PENDING_DBG_EXCEPTIONS", SEC_GUEST_NONREG,
                   "RTM (bit 16) needs RTM support (CPUID.(EAX=07H,ECX=0):EBX[11]), bit 12 set, "
                   "bits 15:13 and 11:0 clear, and no blocking by MOV SS");

    // VMCS link pointer. Kit policy: no shadow VMCS, so it must be ~0 (the SDM would otherwise
    // check the 4 KiB page it points to, which this checker cannot read).
    EC_REQUIRE(g.vmcs_link_pointer == ~uint64_t{0}, "VMCS_LINK_POINTER", SEC_GUEST_NONREG,
               "VMCS link pointer must be 0xFFFFFFFFFFFFFFFF (no shadow VMCS)");
    return {};
}

} // namespace hv::entry_check_detail
