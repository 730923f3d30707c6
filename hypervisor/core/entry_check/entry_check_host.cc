// SDM Vol 3C 27.2.2-27.2.4 (26.2.2-26.2.4 in pre-2023 editions): the host-state area, which a
// VM exit loads. On hardware a failure here makes VMLAUNCH fail with VM-instruction error 8
// ("VM entry with invalid host-state field(s)"). Precondition: the checker runs on a 64-bit host.
#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv::entry_check_detail {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// 27.2.2 "Checks on Host Control Registers, MSRs, and SSP".
kern::Result<void> check_host_cr_msrs(const Ctx& ctx) {
    const VmxHostState& h = ctx.s.host;
    const VmxCaps& caps = ctx.caps;
    const unsigned lin = caps.linear_addr_bits;
    // Unlike the guest's, the host's CR0.PE and CR0.PG are always checked (no unrestricted host).
    EC_REQUIRE(fixed_ok(h.cr0, caps.cr0_fixed0, caps.cr0_fixed1), "HOST_CR0", SEC_HOST_CR,
               "host CR0 must have the IA32_VMX_CR0_FIXED0 bits set (PE, NE, PG) and no bit "
               "outside IA32_VMX_CR0_FIXED1");
    EC_REQUIRE(fixed_ok(h.cr4, caps.cr4_fixed0, caps.cr4_fixed1), "HOST_CR4", SEC_HOST_CR,
               "host CR4 must have the IA32_VMX_CR4_FIXED0 bits set (VMXE) and no bit outside "
               "IA32_VMX_CR4_FIXED1");
    EC_REQUIRE(fits_phys(h.cr3, caps.max_phys_addr), "HOST_CR3", SEC_HOST_CR,
               "host CR3 must not set bits at or above MAXPHYADDR");
    EC_REQUIRE(is_canonical(h.sysenter_esp, lin), "HOST_IA32_SYSENTER_ESP", SEC_HOST_CR,
               "host IA32_SYSENTER_ESP must be canonical");
    EC_REQUIRE(is_canonical(h.sysenter_eip, lin), "HOST_IA32_SYSENTER_EIP", SEC_HOST_CR,
               "host IA32_SYSENTER_EIP must be canonical");
    if (ctx.s.ctl.exit & EXIT_LOAD_IA32_PAT)
        EC_REQUIRE(pat_ok(h.pat), "HOST_IA32_PAT", SEC_HOST_CR,
                   "each host IA32_PAT byte must be a memory type: 0, 1, 4, 5, 6 or 7");
    if (ctx.s.ctl.exit & EXIT_LOAD_IA32_EFER) {
        EC_REQUIRE((h.efer & ~IA32_EFER_DEFINED) == 0, "HOST_IA32_EFER", SEC_HOST_CR,
                   "host IA32_EFER reserved bits must be 0 (only SCE, LME, LMA, NXE)");
        const bool wide = (ctx.s.ctl.exit & EXIT_HOST_ADDR_SPACE_SIZE) != 0;
        EC_REQUIRE(((h.efer & IA32_EFER_LMA) != 0) == wide &&
                       ((h.efer & IA32_EFER_LME) != 0) == wide,
                   "HOST_IA32_EFER", SEC_HOST_CR,
                   "host IA32_EFER.LMA and .LME must both equal \"host address-space size\"");
    }
    return {};
}

/// 27.2.3 "Checks on Host Segment and Descriptor-Table Registers".
kern::Result<void> check_host_segments(const Ctx& ctx) {
    const VmxHostState& h = ctx.s.host;
    const unsigned lin = ctx.caps.linear_addr_bits;
    // RPL (bits 1:0) and TI (bit 2) must be 0: the exit loads flat descriptors from the GDT.
    EC_REQUIRE((h.es_selector & 7) == 0, "HOST_ES_SELECTOR", SEC_HOST_SEG,
               "host ES selector RPL and TI must be 0");
    EC_REQUIRE((h.cs_selector & 7) == 0, "HOST_CS_SELECTOR", SEC_HOST_SEG,
               "host CS selector RPL and TI must be 0");
    EC_REQUIRE((h.ss_selector & 7) == 0, "HOST_SS_SELECTOR", SEC_HOST_SEG,
               "host SS selector RPL and TI must be 0");
    EC_REQUIRE((h.ds_selector & 7) == 0, "HOST_DS_SELECTOR", SEC_HOST_SEG,
               "host DS selector RPL and TI must be 0");
    EC_REQUIRE((h.fs_selector & 7) == 0, "HOST_FS_SELECTOR", SEC_HOST_SEG,
               "host FS selector RPL and TI must be 0");
    EC_REQUIRE((h.gs_selector & 7) == 0, "HOST_GS_SELECTOR", SEC_HOST_SEG,
               "host GS selector RPL and TI must be 0");
    EC_REQUIRE((h.tr_selector & 7) == 0, "HOST_TR_SELECTOR", SEC_HOST_SEG,
               "host TR selector RPL and TI must be 0");
    EC_REQUIRE(h.cs_selector != 0, "HOST_CS_SELECTOR", SEC_HOST_SEG,
               "host CS selector must not be 0");
    EC_REQUIRE(h.tr_selector != 0, "HOST_TR_SELECTOR", SEC_HOST_SEG,
               "host TR selector must not be 0");
    EC_REQUIRE(h.ss_selector != 0 || (ctx.s.ctl.exit & EXIT_HOST_ADDR_SPACE_SIZE),
               "HOST_SS_SELECTOR", SEC_HOST_SEG,
               "host SS selector must not be 0 for a 32-bit host");
    EC_REQUIRE(is_canonical(h.fs_base, lin), "HOST_FS_BASE", SEC_HOST_SEG,
               "host FS base must be canonical");
    EC_REQUIRE(is_canonical(h.gs_base, lin), "HOST_GS_BASE", SEC_HOST_SEG,
               "host GS base must be canonical");
    EC_REQUIRE(is_canonical(h.gdtr_base, lin), "HOST_GDTR_BASE", SEC_HOST_SEG,
               "host GDTR base must be canonical");
    EC_REQUIRE(is_canonical(h.idtr_base, lin), "HOST_IDTR_BASE", SEC_HOST_SEG,
               "host IDTR base must be canonical");
    EC_REQUIRE(is_canonical(h.tr_base, lin), "HOST_TR_BASE", SEC_HOST_SEG,
               "host TR base must be canonical");
    return {};
}

/// 27.2.4 "Checks Related to Address-Space Size", for a CPU running with IA32_EFER.LMA = 1.
kern::Result<void> check_host_address_space(const Ctx& ctx) {
    const VmxHostState& h = ctx.s.host;
    EC_REQUIRE(ctx.s.ctl.exit & EXIT_HOST_ADDR_SPACE_SIZE, "VM_EXIT_CONTROLS", SEC_HOST_SIZE,
               "a 64-bit host needs the \"host address-space size\" VM-exit control");
    EC_REQUIRE(h.cr4 & CR4_PAE, "HOST_CR4", SEC_HOST_SIZE,
               "host CR4.PAE must be 1 when \"host address-space size\" is 1");
    EC_REQUIRE(is_canonical(h.rip, ctx.caps.linear_addr_bits), "HOST_RIP", SEC_HOST_SIZE,
               "host RIP must be canonical");
    return {};
}

} // namespace

kern::Result<void> check_host(const Ctx& ctx) {
    // 27.2.4 first, out of the SDM's order: a cleared "host address-space size" is the root cause
    // that would otherwise surface as a HOST_IA32_EFER mismatch in 27.2.2.
    TRY_VOID(check_host_address_space(ctx));
    TRY_VOID(check_host_cr_msrs(ctx));
    TRY_VOID(check_host_segments(ctx));
    return {};
}

} // namespace hv::entry_check_detail
