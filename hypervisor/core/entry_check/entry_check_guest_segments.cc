// SDM Vol 3C 27.3.1.2 "Checks on Guest Segment Registers" (26.3.1.2 in pre-2023 editions).
//
// Three regimes: virtual-8086 (RFLAGS.VM = 1: every segment is base = selector << 4, limit
// 0xFFFF, AR 0xF3), and otherwise the protected-mode rules, which also apply to a real-mode
// guest under "unrestricted guest" (there the RPL/DPL equalities are relaxed). Order: selectors,
// bases, limits, then access rights, as the SDM lists them; SS's own DPL rules come before CS's
// rule that compares against SS, so a wrong SS.DPL is blamed on SS.
#include "hypervisor/core/entry_check/entry_check_internal.h"

namespace hv::entry_check_detail {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// A segment register together with the VMCS names of its four fields.
struct SegRef {
    const Segment& seg; ///< the register
    const char* base;   ///< GUEST_xS_BASE
    const char* limit;  ///< GUEST_xS_LIMIT
    const char* ar;     ///< GUEST_xS_AR_BYTES
};

uint32_t type_of(const Segment& s) {
    return s.access_rights & AR_TYPE_MASK;
}
uint32_t dpl_of(const Segment& s) {
    return (s.access_rights >> AR_DPL_SHIFT) & 3;
}
uint32_t rpl_of(const Segment& s) {
    return s.selector & 3;
}
bool usable(const Segment& s) {
    return !(s.access_rights & AR_UNUSABLE);
}

/// G must match the limit: a limit with any of bits 11:0 clear cannot be page-granular, and one
/// with any of bits 31:20 set must be.
bool granularity_ok(const Segment& s) {
    const bool g = s.access_rights & AR_G;
    if ((s.limit & 0xFFF) != 0xFFF && g) return false;
    if ((s.limit >> 20) != 0 && !g) return false;
    return true;
}

/// The AR rules shared by every usable segment: P, reserved 11:8, G against limit, reserved 31:17.
kern::Result<void> check_ar_common(const Ctx& ctx, const SegRef& r) {
    const uint32_t ar = r.seg.access_rights;
    EC_REQUIRE(ar & AR_P, r.ar, SEC_GUEST_SEG, "segment must be present (P = 1)");
    EC_REQUIRE((ar & AR_RESERVED_11_8) == 0, r.ar, SEC_GUEST_SEG,
               "access-rights bits 11:8 are reserved and must be 0");
    EC_REQUIRE(granularity_ok(r.seg), r.ar, SEC_GUEST_SEG,
               "G must be 0 if limit bits 11:0 are not all 1, and 1 if limit bits 31:20 are not 0");
    EC_REQUIRE((ar & AR_RESERVED_31_17) == 0, r.ar, SEC_GUEST_SEG,
               "access-rights bits 31:17 are reserved and must be 0");
    return {};
}

/// SS outside virtual-8086 mode. Its DPL is the guest's CPL, so the DPL rules apply even when
/// SS is unusable.
kern::Result<void> check_ss(const Ctx& ctx, const SegRef& r) {
    const Segment& ss = r.seg;
    const uint32_t cs_type = type_of(ctx.s.guest.cs);
    if (!ctx.unrestricted)
        EC_REQUIRE(dpl_of(ss) == rpl_of(ss), r.ar, SEC_GUEST_SEG, "SS DPL must equal SS RPL");
    EC_REQUIRE(dpl_of(ss) == 0 || (cs_type != 3 && (ctx.s.guest.cr0 & CR0_PE)), r.ar, SEC_GUEST_SEG,
               "SS DPL must be 0 in real mode or when CS is a data segment");
    if (!usable(ss)) return {};
    EC_REQUIRE(type_of(ss) == 3 || type_of(ss) == 7, r.ar, SEC_GUEST_SEG,
               "SS type must be 3 or 7 (read/write data, accessed)");
    EC_REQUIRE(ss.access_rights & AR_S, r.ar, SEC_GUEST_SEG,
               "SS must be a code/data segment (S = 1)");
    return check_ar_common(ctx, r);
}

/// CS outside virtual-8086 mode.
kern::Result<void> check_cs(const Ctx& ctx, const SegRef& r) {
    const Segment& cs = r.seg;
    const uint32_t type = type_of(cs);
    // Unlike SS, DS, ES, FS and GS, CS is checked whatever its "unusable" bit (16) says: the
    // SDM lists no rule on that bit for CS (it is not among the reserved bits 31:17), so an
    // unusable CS is accepted exactly when the rest of its access rights would be.
    EC_REQUIRE(type == 9 || type == 11 || type == 13 || type == 15 ||
                   (type == 3 && ctx.unrestricted),
               r.ar, SEC_GUEST_SEG,
               "CS type must be 9, 11, 13 or 15 (code, accessed); 3 only with unrestricted guest");
    EC_REQUIRE(cs.access_rights & AR_S, r.ar, SEC_GUEST_SEG,
               "CS must be a code/data segment (S = 1)");
    const uint32_t dpl = dpl_of(cs);
    const uint32_t ss_dpl = dpl_of(ctx.s.guest.ss);
    if (type == 3)
        EC_REQUIRE(dpl == 0, r.ar, SEC_GUEST_SEG, "CS DPL must be 0 when CS type is 3");
    else if (type == 9 || type == 11)
        EC_REQUIRE(dpl == ss_dpl, r.ar, SEC_GUEST_SEG, "non-conforming CS DPL must equal SS DPL");
    else
        EC_REQUIRE(dpl <= ss_dpl, r.ar, SEC_GUEST_SEG, "conforming CS DPL must not exceed SS DPL");
    EC_REQUIRE(!(ctx.ia32e_guest && (cs.access_rights & AR_L) && (cs.access_rights & AR_DB)), r.ar,
               SEC_GUEST_SEG, "a 64-bit CS (L = 1) of an IA-32e guest must have D/B = 0");
    return check_ar_common(ctx, r);
}

/// DS, ES, FS or GS outside virtual-8086 mode; nothing is checked when it is unusable.
kern::Result<void> check_data(const Ctx& ctx, const SegRef& r) {
    const Segment& s = r.seg;
    if (!usable(s)) return {};
    const uint32_t type = type_of(s);
    EC_REQUIRE((type & 1) && (!(type & 8) || (type & 2)), r.ar, SEC_GUEST_SEG,
               "data segment type must be accessed (bit 0), and readable (bit 1) if code");
    EC_REQUIRE(s.access_rights & AR_S, r.ar, SEC_GUEST_SEG,
               "data segment must be a code/data segment (S = 1)");
    if (!ctx.unrestricted && type <= 11)
        EC_REQUIRE(dpl_of(s) >= rpl_of(s), r.ar, SEC_GUEST_SEG,
                   "data or non-conforming code segment DPL must not be below its RPL");
    return check_ar_common(ctx, r);
}

/// TR: always usable, a busy TSS (64-bit type 11 for IA-32e guests; 3 or 11 otherwise).
kern::Result<void> check_tr(const Ctx& ctx, const SegRef& r) {
    const uint32_t type = type_of(r.seg);
    EC_REQUIRE(type == 11 || (type == 3 && !ctx.ia32e_guest), r.ar, SEC_GUEST_SEG,
               "TR type must be 11 (busy 64/32-bit TSS), or 3 (busy 16-bit TSS) outside IA-32e");
    EC_REQUIRE(!(r.seg.access_rights & AR_S), r.ar, SEC_GUEST_SEG,
               "TR must be a system segment (S = 0)");
    EC_REQUIRE(usable(r.seg), r.ar, SEC_GUEST_SEG, "TR must be usable");
    return check_ar_common(ctx, r);
}

/// LDTR: nothing is checked when unusable; otherwise an LDT descriptor (type 2).
kern::Result<void> check_ldtr(const Ctx& ctx, const SegRef& r) {
    if (!usable(r.seg)) return {};
    EC_REQUIRE(type_of(r.seg) == 2, r.ar, SEC_GUEST_SEG, "a usable LDTR must have type 2 (LDT)");
    EC_REQUIRE(!(r.seg.access_rights & AR_S), r.ar, SEC_GUEST_SEG,
               "LDTR must be a system segment (S = 0)");
    return check_ar_common(ctx, r);
}

} // namespace

kern::Result<void> check_guest_segments(const Ctx& ctx) {
    const VmxGuestState& g = ctx.s.guest;
    const unsigned lin = ctx.caps.linear_addr_bits;
    const SegRef es{g.es, "GUEST_ES_BASE", "GUEST_ES_LIMIT", "GUEST_ES_AR_BYTES"};
    const SegRef cs{g.cs, "GUEST_CS_BASE", "GUEST_CS_LIMIT", "GUEST_CS_AR_BYTES"};
    const SegRef ss{g.ss, "GUEST_SS_BASE", "GUEST_SS_LIMIT", "GUEST_SS_AR_BYTES"};
    const SegRef ds{g.ds, "GUEST_DS_BASE", "GUEST_DS_LIMIT", "GUEST_DS_AR_BYTES"};
    const SegRef fs{g.fs, "GUEST_FS_BASE", "GUEST_FS_LIMIT", "GUEST_FS_AR_BYTES"};
    const SegRef gs{g.gs, "GUEST_GS_BASE", "GUEST_GS_LIMIT", "GUEST_GS_AR_BYTES"};
    const SegRef ldtr{g.ldtr, "GUEST_LDTR_BASE", "GUEST_LDTR_LIMIT", "GUEST_LDTR_AR_BYTES"};
    const SegRef tr{g.tr, "GUEST_TR_BASE", "GUEST_TR_LIMIT", "GUEST_TR_AR_BYTES"};
    const SegRef* const v86_segs[] = {&cs, &ss, &ds, &es, &fs, &gs};
    const SegRef* const ss_ds_es[] = {&ss, &ds, &es};
    const SegRef* const ds_es_fs_gs[] = {&ds, &es, &fs, &gs};

    // Selector fields.
    EC_REQUIRE(!(g.tr.selector & 4), "GUEST_TR_SELECTOR", SEC_GUEST_SEG,
               "TR selector TI must be 0 (the TSS descriptor is in the GDT)");
    if (usable(g.ldtr))
        EC_REQUIRE(!(g.ldtr.selector & 4), "GUEST_LDTR_SELECTOR", SEC_GUEST_SEG,
                   "LDTR selector TI must be 0 (the LDT descriptor is in the GDT)");
    if (!ctx.v8086 && !ctx.unrestricted)
        EC_REQUIRE(rpl_of(g.ss) == rpl_of(g.cs), "GUEST_SS_SELECTOR", SEC_GUEST_SEG,
                   "SS RPL must equal CS RPL");

    // Base fields.
    if (ctx.v8086)
        for (const SegRef* r : v86_segs)
            EC_REQUIRE(r->seg.base == uint64_t{r->seg.selector} << 4, r->base, SEC_GUEST_SEG,
                       "in virtual-8086 mode a segment base must be selector << 4");
    EC_REQUIRE(is_canonical(g.tr.base, lin), tr.base, SEC_GUEST_SEG, "TR base must be canonical");
    EC_REQUIRE(is_canonical(g.fs.base, lin), fs.base, SEC_GUEST_SEG, "FS base must be canonical");
    EC_REQUIRE(is_canonical(g.gs.base, lin), gs.base, SEC_GUEST_SEG, "GS base must be canonical");
    if (usable(g.ldtr))
        EC_REQUIRE(is_canonical(g.ldtr.base, lin), ldtr.base, SEC_GUEST_SEG,
                   "a usable LDTR base must be canonical");
    EC_REQUIRE((g.cs.base >> 32) == 0, cs.base, SEC_GUEST_SEG, "CS base bits 63:32 must be 0");
    for (const SegRef* r : ss_ds_es)
        if (usable(r->seg))
            EC_REQUIRE((r->seg.base >> 32) == 0, r->base, SEC_GUEST_SEG,
                       "a usable SS, DS or ES base must have bits 63:32 0");

    // Limit and access-rights fields.
    if (ctx.v8086) {
        for (const SegRef* r : v86_segs)
            EC_REQUIRE(r->seg.limit == 0xFFFF, r->limit, SEC_GUEST_SEG,
                       "in virtual-8086 mode a segment limit must be 0xFFFF");
        for (const SegRef* r : v86_segs)
            EC_REQUIRE(r->seg.access_rights == 0xF3, r->ar, SEC_GUEST_SEG,
                       "in virtual-8086 mode segment access rights must be 0xF3");
    } else {
        TRY_VOID(check_ss(ctx, ss));
        TRY_VOID(check_cs(ctx, cs));
        for (const SegRef* r : ds_es_fs_gs)
            TRY_VOID(check_data(ctx, *r));
    }
    TRY_VOID(check_tr(ctx, tr));
    TRY_VOID(check_ldtr(ctx, ldtr));
    return {};
}

} // namespace hv::entry_check_detail
