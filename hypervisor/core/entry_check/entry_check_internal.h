// Shared by the entry_check_*.cc files only: the checking context, small predicates and the
// EC_REQUIRE macro. Not part of the public API (include entry_check.h instead).
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv::entry_check_detail {

/// SDM section titles, cited in every failure (SDM Vol 3C; 26.x in pre-2023 editions).
inline constexpr const char* SEC_EXEC = "SDM Vol 3C 27.2.1.1 Checks on VM-Execution Control Fields";
/// 27.2.1.2.
inline constexpr const char* SEC_EXIT = "SDM Vol 3C 27.2.1.2 Checks on VM-Exit Control Fields";
/// 27.2.1.3.
inline constexpr const char* SEC_ENTRY = "SDM Vol 3C 27.2.1.3 Checks on VM-Entry Control Fields";
/// 27.2.2.
inline constexpr const char* SEC_HOST_CR =
    "SDM Vol 3C 27.2.2 Checks on Host Control Registers, MSRs, and SSP";
/// 27.2.3.
inline constexpr const char* SEC_HOST_SEG =
    "SDM Vol 3C 27.2.3 Checks on Host Segment and Descriptor-Table Registers";
/// 27.2.4.
inline constexpr const char* SEC_HOST_SIZE =
    "SDM Vol 3C 27.2.4 Checks Related to Address-Space Size";
/// 27.3.1.1.
inline constexpr const char* SEC_GUEST_CR =
    "SDM Vol 3C 27.3.1.1 Checks on Guest Control Registers, Debug Registers, and MSRs";
/// 27.3.1.2.
inline constexpr const char* SEC_GUEST_SEG =
    "SDM Vol 3C 27.3.1.2 Checks on Guest Segment Registers";
/// 27.3.1.3.
inline constexpr const char* SEC_GUEST_DT =
    "SDM Vol 3C 27.3.1.3 Checks on Guest Descriptor-Table Registers";
/// 27.3.1.4.
inline constexpr const char* SEC_GUEST_RIP =
    "SDM Vol 3C 27.3.1.4 Checks on Guest RIP, RFLAGS, and SSP";
/// 27.3.1.5.
inline constexpr const char* SEC_GUEST_NONREG =
    "SDM Vol 3C 27.3.1.5 Checks on Guest Non-Register State";
/// 27.3.1.6.
inline constexpr const char* SEC_GUEST_PDPTE =
    "SDM Vol 3C 27.3.1.6 Checks on Guest Page-Directory-Pointer-Table Entries";

/// The state being checked, the capabilities, and facts derived once from the controls.
struct Ctx {
    const VmxState& s;         ///< the snapshot under test
    const VmxCaps& caps;       ///< the CPU's capabilities
    EntryCheckFailure* detail; ///< where to report a failure; may be null
    uint32_t proc2;            ///< secondary controls as the CPU sees them (0 unless activated)
    bool ia32e_guest;          ///< "IA-32e mode guest" entry control
    bool unrestricted;         ///< "unrestricted guest" in effect
    bool ept;                  ///< "enable EPT" in effect
    bool v8086;                ///< guest RFLAGS.VM
};

/// Record a failure in ctx.detail and build the Error to return.
/// @param ctx     the checking context
/// @param field   VMCS field name
/// @param section SDM section
/// @param message static rule description
kern::Error fail(const Ctx& ctx, const char* field, const char* section, const char* message);

/// True if @p addr is canonical for a @p bits-bit linear-address width.
constexpr bool is_canonical(uint64_t addr, unsigned bits) {
    const uint64_t top = addr >> (bits - 1); // bits 63:bits-1 must be all 0 or all 1
    return top == 0 || top == (~uint64_t{0} >> (bits - 1));
}

/// True if @p addr sets no bit at or above MAXPHYADDR @p width.
constexpr bool fits_phys(uint64_t addr, unsigned width) {
    return (addr >> width) == 0;
}

/// True if @p value has every fixed-0 bit set and no bit outside fixed-1 (SDM A.7, A.8).
constexpr bool fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1) {
    return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
}

/// True if @p ctl respects a capability MSR: allowed-0 (bits 31:0) set, allowed-1 (63:32) only.
constexpr bool allowed_ok(uint32_t ctl, uint64_t msr) {
    const auto must1 = static_cast<uint32_t>(msr);
    const auto may1 = static_cast<uint32_t>(msr >> 32);
    return (ctl & must1) == must1 && (ctl & ~may1) == 0;
}

/// True if every byte of @p pat is a valid memory type: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-.
constexpr bool pat_ok(uint64_t pat) {
    for (unsigned i = 0; i < 8; ++i) {
        const uint64_t t = (pat >> (8 * i)) & 0xFF;
        if (t == 2 || t == 3 || t > 7) return false;
    }
    return true;
}

/// 27.2.1: VM-execution, VM-exit and VM-entry control fields.
/// @param ctx the checking context
kern::Result<void> check_vmx_controls(const Ctx& ctx);
/// 27.2.2-27.2.4: host-state area.
/// @param ctx the checking context
kern::Result<void> check_host(const Ctx& ctx);
/// 27.3.1.1: guest control registers, DR7 and MSRs.
/// @param ctx the checking context
kern::Result<void> check_guest_cr_msrs(const Ctx& ctx);
/// 27.3.1.2: guest segment registers.
/// @param ctx the checking context
kern::Result<void> check_guest_segments(const Ctx& ctx);
/// 27.3.1.3 and 27.3.1.4: descriptor tables, RIP and RFLAGS.
/// @param ctx the checking context
kern::Result<void> check_guest_dt_rip_rflags(const Ctx& ctx);
/// 27.3.1.5: activity and interruptibility state, pending debug exceptions, link pointer.
/// @param ctx the checking context
kern::Result<void> check_guest_nonreg(const Ctx& ctx);
/// 27.3.1.6: PDPTEs when EPT is on and the guest uses PAE paging.
/// @param ctx the checking context
kern::Result<void> check_guest_pdptes(const Ctx& ctx);

} // namespace hv::entry_check_detail

/// Inside a check function with a `const Ctx& ctx`: if @p cond is false, fail naming @p field.
#define EC_REQUIRE(cond, field, section, message)                                                  \
    do {                                                                                           \
        if (!(cond)) return ::hv::entry_check_detail::fail(ctx, field, section, message);          \
    } while (0)
