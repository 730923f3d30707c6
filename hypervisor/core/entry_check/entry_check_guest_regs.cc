// SDM Vol 3C 27.3.1.1, 27.3.1.3, 27.3.1.4 and 27.3.1.6 (26.3.1.x in pre-2023 editions): guest
// control registers, DR7 and MSRs; descriptor-table registers; RIP and RFLAGS; PDPTEs. On
// hardware a failure in 27.3 is a VM exit with reason 33, "VM-entry failure due to invalid
// guest state", and the exit qualification does not say which field was wrong: this file does.
#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv::entry_check_detail {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// IA32_DEBUGCTL bits 5:2 and 63:16 are reserved (SDM Vol 3B 17.4.1); bit 15 is RTM_DEBUG.
constexpr uint64_t DEBUGCTL_RESERVED = 0x3C | ~uint64_t{0xFFFF};
/// RFLAGS bits that must be 0: 63:22, 15, 5 and 3 (SDM Vol 3A 2.3).
constexpr uint64_t RFLAGS_RESERVED = ~uint64_t{0x3FFFFF} | bit(15) | bit(5) | bit(3);
/// PDPTE bits that must be 0 when present: 2:1 and 8:5 (SDM Vol 3A 4.4.1).
constexpr uint64_t PDPTE_RESERVED = 0x6 | 0x1E0;

} // namespace

/// 27.3.1.1 "Checks on Guest Control Registers, Debug Registers, and MSRs".
kern::Result<void> check_guest_cr_msrs(const Ctx& ctx) {
    const VmxGuestState& g = ctx.s.guest;
    const VmxCaps& caps = ctx.caps;
    const uint32_t entry = ctx.s.ctl.entry;
    const unsigned lin = caps.linear_addr_bits;

    // "Unrestricted guest" lifts the fixed-0 requirement on PE and PG only (real mode, or
    // protected mode without paging), SDM A.7.
    uint64_t cr0_must = caps.cr0_fixed0;
    if (ctx.unrestricted) cr0_must &= ~(CR0_PE | CR0_PG);
    EC_REQUIRE(fixed_ok(g.cr0, cr0_must, caps.cr0_fixed1), "GUEST_CR0", SEC_GUEST_CR,
               "guest CR0 must have the IA32_VMX_CR0_FIXED0 bits set (PE and PG may be 0 with "
               "\"unrestricted guest\") and no bit outside IA32_VMX_CR0_FIXED1");
    EC_REQUIRE(!(g.cr0 & CR0_PG) || (g.cr0 & CR0_PE), "GUEST_CR0", SEC_GUEST_CR,
               "guest CR0.PG needs CR0.PE");
    EC_REQUIRE(fixed_ok(g.cr4, caps.cr4_fixed0, caps.cr4_fixed1), "GUEST_CR4", SEC_GUEST_CR,
               "guest CR4 must have the IA32_VMX_CR4_FIXED0 bits set (VMXE) and no bit outside "
               "IA32_VMX_CR4_FIXED1");
    EC_REQUIRE(!(g.cr4 & CR4_CET) || (g.cr0 & CR0_WP), "GUEST_CR4", SEC_GUEST_CR,
               "guest CR4.CET needs CR0.WP");
    if (entry & ENTRY_LOAD_DEBUG_CONTROLS)
        EC_REQUIRE((g.debugctl & DEBUGCTL_RESERVED) == 0, "GUEST_IA32_DEBUGCTL", SEC_GUEST_CR,
                   "guest IA32_DEBUGCTL reserved bits (5:2, 63:16) must be 0");
    if (ctx.ia32e_guest) {
        EC_REQUIRE(g.cr0 & CR0_PG, "GUEST_CR0", SEC_GUEST_CR,
                   "an \"IA-32e mode guest\" needs CR0.PG");
        EC_REQUIRE(g.cr4 & CR4_PAE, "GUEST_CR4", SEC_GUEST_CR,
                   "an \"IA-32e mode guest\" needs CR4.PAE");
    } else {
        EC_REQUIRE(!(g.cr4 & CR4_PCIDE), "GUEST_CR4", SEC_GUEST_CR,
                   "guest CR4.PCIDE needs \"IA-32e mode guest\"");
    }
    EC_REQUIRE(fits_phys(g.cr3, caps.max_phys_addr), "GUEST_CR3", SEC_GUEST_CR,
               "guest CR3 must not set bits at or above MAXPHYADDR");
    if (entry & ENTRY_LOAD_DEBUG_CONTROLS)
        EC_REQUIRE((g.dr7 >> 32) == 0, "GUEST_DR7", SEC_GUEST_CR, "guest DR7 bits 63:32 must be 0");
    EC_REQUIRE(is_canonical(g.sysenter_esp, lin), "GUEST_SYSENTER_ESP", SEC_GUEST_CR,
               "guest IA32_SYSENTER_ESP must be canonical");
    EC_REQUIRE(is_canonical(g.sysenter_eip, lin), "GUEST_SYSENTER_EIP", SEC_GUEST_CR,
               "guest IA32_SYSENTER_EIP must be canonical");
    if (entry & ENTRY_LOAD_IA32_PAT)
        EC_REQUIRE(pat_ok(g.pat), "GUEST_IA32_PAT", SEC_GUEST_CR,
                   "each guest IA32_PAT byte must be a memory type: 0, 1, 4, 5, 6 or 7");
    if (entry & ENTRY_LOAD_IA32_EFER) {
        EC_REQUIRE((g.efer & ~IA32_EFER_DEFINED) == 0, "GUEST_IA32_EFER", SEC_GUEST_CR,
                   "guest IA32_EFER reserved bits must be 0 (only SCE, LME, LMA, NXE)");
        EC_REQUIRE(((g.efer & IA32_EFER_LMA) != 0) == ctx.ia32e_guest, "GUEST_IA32_EFER",
                   SEC_GUEST_CR, "guest IA32_EFER.LMA must equal \"IA-32e mode guest\"");
        EC_REQUIRE(!(g.cr0 & CR0_PG) || ((g.efer & IA32_EFER_LME) != 0) == ctx.ia32e_guest,
                   "GUEST_IA32_EFER", SEC_GUEST_CR,
                   "with CR0.PG set, guest IA32_EFER.LME must equal \"IA-32e mode guest\"");
    }
    return {};
}

/// 27.3.1.3 "Checks on Guest Descriptor-Table Registers", then 27.3.1.4 "Checks on Guest RIP,
/// RFLAGS, and SSP".
kern::Result<void> check_guest_dt_rip_rflags(const Ctx& ctx) {
    const VmxGuestState& g = ctx.s.guest;
    const unsigned lin = ctx.caps.linear_addr_bits;
    EC_REQUIRE(is_canonical(g.gdtr_base, lin), "GUEST_GDTR_BASE", SEC_GUEST_DT,
               "guest GDTR base must be canonical");
    EC_REQUIRE(is_canonical(g.idtr_base, lin), "GUEST_IDTR_BASE", SEC_GUEST_DT,
               "guest IDTR base must be canonical");
    EC_REQUIRE((g.gdtr_limit >> 16) == 0, "GUEST_GDTR_LIMIT", SEC_GUEST_DT,
               "guest GDTR limit bits 31:16 must be 0");
    EC_REQUIRE((g.idtr_limit >> 16) == 0, "GUEST_IDTR_LIMIT", SEC_GUEST_DT,
               "guest IDTR limit bits 31:16 must be 0");

    // RIP: 32 bits unless the guest starts in 64-bit mode (IA-32e and CS.L), then canonical.
    if (ctx.ia32e_guest && (g.cs.access_rights & AR_L))
        EC_REQUIRE(is_canonical(g.rip, lin), "GUEST_RIP", SEC_GUEST_RIP,
                   "guest RIP must be canonical in 64-bit mode");
    else
        EC_REQUIRE((g.rip >> 32) == 0, "GUEST_RIP", SEC_GUEST_RIP,
                   "guest RIP bits 63:32 must be 0 outside 64-bit mode");

    EC_REQUIRE((g.rflags & RFLAGS_RESERVED) == 0 && (g.rflags & bit(1)), "GUEST_RFLAGS",
               SEC_GUEST_RIP, "guest RFLAGS bit 1 must be 1 and bits 63:22, 15, 5 and 3 must be 0");
    EC_REQUIRE(!ctx.v8086 || (!ctx.ia32e_guest && (g.cr0 & CR0_PE)), "GUEST_RFLAGS", SEC_GUEST_RIP,
               "guest RFLAGS.VM must be 0 in IA-32e mode and in real mode");
    const uint32_t info = ctx.s.ctl.entry_intr_info;
    const bool inject_external =
        (info & INTR_INFO_VALID) && ((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_EXTERNAL;
    EC_REQUIRE(!inject_external || (g.rflags & RFLAGS_IF), "GUEST_RFLAGS", SEC_GUEST_RIP,
               "guest RFLAGS.IF must be 1 when injecting an external interrupt");
    return {};
}

/// 27.3.1.6 "Checks on Guest Page-Directory-Pointer-Table Entries": with EPT and PAE paging
/// outside IA-32e mode, VM entry loads the PDPTEs from the VMCS fields. (Without EPT it reads
/// them from guest memory, which this checker cannot see.)
kern::Result<void> check_guest_pdptes(const Ctx& ctx) {
    const VmxGuestState& g = ctx.s.guest;
    if (!ctx.ept || !(g.cr0 & CR0_PG) || !(g.cr4 & CR4_PAE) || ctx.ia32e_guest) return {};
    static constexpr const char* NAMES[4] = {"GUEST_PDPTR0", "GUEST_PDPTR1", "GUEST_PDPTR2",
                                             "GUEST_PDPTR3"};
    for (unsigned i = 0; i < 4; ++i) {
        const uint64_t e = g.pdpte[i];
        if (!(e & 1)) continue;
        EC_REQUIRE((e & PDPTE_RESERVED) == 0 && fits_phys(e, ctx.caps.max_phys_addr), NAMES[i],
                   SEC_GUEST_PDPTE,
                   "a present PDPTE must have bits 2:1, 8:5 and bits at or above MAXPHYADDR 0");
    }
    return {};
}

} // namespace hv::entry_check_detail
