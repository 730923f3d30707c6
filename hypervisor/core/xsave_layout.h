// The XSAVE feature set's state components and the layout of an XSAVE area (SDM Vol 1 13.1,
// 13.4), computed from CPUID leaf 0xD values passed in. Pure and header-only: the hypervisor's
// per-vCPU FPU state (hypervisor/guest_fpu.h), the slave's CPUID policy, the slave's XSAVE
// checker (slave/programs/vlibos_xsavecheck.cc) and the host tests share it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv::xsave {

/// State-component bits of XCR0, XSTATE_BV, XCOMP_BV, RFBM (SDM Vol 1 13.1).
inline constexpr uint64_t XFEATURE_X87 = 1ull << 0; ///< x87 FPU state (legacy region)
inline constexpr uint64_t XFEATURE_SSE = 1ull << 1; ///< XMM0-15 and MXCSR (legacy region)
inline constexpr uint64_t XFEATURE_AVX = 1ull << 2; ///< upper halves of YMM0-15 (YMM_Hi128)
/// The components that live in the legacy region, whatever the format (SDM Vol 1 13.4.1).
inline constexpr uint64_t XFEATURE_LEGACY = XFEATURE_X87 | XFEATURE_SSE;
/// Highest state-component number the architecture defines room for (XCR0 is 64 bits).
inline constexpr unsigned MAX_COMPONENTS = 64;

/// The legacy region: the FXSAVE image of x87 and SSE state (SDM Vol 1 13.4.1, Table 13-1).
inline constexpr uint32_t LEGACY_REGION_BYTES = 512;
inline constexpr uint32_t FCW_OFFSET = 0;    ///< x87 control word
inline constexpr uint32_t MXCSR_OFFSET = 24; ///< MXCSR
inline constexpr uint32_t ST0_OFFSET = 32;   ///< ST0/MM0; STi at 32 + 16 i
inline constexpr uint32_t XMM0_OFFSET = 160; ///< XMM0; XMMi at 160 + 16 i
/// The XSAVE header follows it (SDM Vol 1 13.4.2): XSTATE_BV, then XCOMP_BV, 64 bytes in all.
inline constexpr uint32_t HEADER_OFFSET = LEGACY_REGION_BYTES;
inline constexpr uint32_t HEADER_BYTES = 64;
inline constexpr uint32_t XSTATE_BV_OFFSET = HEADER_OFFSET;
inline constexpr uint32_t XCOMP_BV_OFFSET = HEADER_OFFSET + 8;
/// The extended region starts right after the header (SDM Vol 1 13.4.3).
inline constexpr uint32_t EXTENDED_REGION_OFFSET = HEADER_OFFSET + HEADER_BYTES; // 576
/// XCOMP_BV bit 63: the area is in the compacted format (SDM Vol 1 13.4.2).
inline constexpr uint64_t XCOMP_BV_COMPACTED = 1ull << 63;
/// XSAVE areas must be 64-byte aligned (SDM Vol 1 13.4).
inline constexpr uint32_t AREA_ALIGN = 64;
/// MXCSR after power-up or reset: every SIMD exception masked, round to nearest (SDM Vol 1
/// 10.2.3.4). XRSTOR loads MXCSR from memory whenever RFBM has SSE or AVX (SDM Vol 1 13.8.1),
/// even for a component it initializes, so a fresh area must carry this value.
inline constexpr uint32_t MXCSR_RESET = 0x1F80;

/// CPUID.(EAX=0DH,ECX=1):EAX: which XSAVE instructions exist (SDM Vol 2A CPUID, leaf 0DH).
inline constexpr uint32_t CPUID_D1_XSAVEOPT = 1u << 0; ///< XSAVEOPT
inline constexpr uint32_t CPUID_D1_XSAVEC = 1u << 1;   ///< XSAVEC and compacted XRSTOR
inline constexpr uint32_t CPUID_D1_XGETBV1 = 1u << 2;  ///< XGETBV with ECX = 1 (XINUSE)
inline constexpr uint32_t CPUID_D1_XSAVES = 1u << 3;   ///< XSAVES/XRSTORS, IA32_XSS
/// CPUID.(EAX=0DH,ECX=i):ECX bit 1 for i >= 2: in the compacted format the component starts at
/// the next 64-byte boundary (SDM Vol 2A CPUID, leaf 0DH; Vol 1 13.4.3).
inline constexpr uint32_t CPUID_DI_ALIGN64 = 1u << 1;

/// One state component as CPUID.(EAX=0DH,ECX=i) describes it (i >= 2).
struct Component {
    uint32_t size = 0;    ///< EAX: bytes
    uint32_t offset = 0;  ///< EBX: offset in the standard format
    bool align64 = false; ///< ECX bit 1: 64-byte aligned in the compacted format
};

/// Bytes of a standard-format area holding the components of @p mask (SDM Vol 1 13.4.3: each
/// component at its fixed CPUID offset): the legacy region and header, then up to the end of
/// the last component. What CPUID.(EAX=0DH,ECX=0):EBX reports for XCR0 = @p mask.
constexpr uint32_t standard_size(uint64_t mask, const Component (&c)[MAX_COMPONENTS]) {
    uint32_t end = EXTENDED_REGION_OFFSET;
    for (unsigned i = 2; i < MAX_COMPONENTS; ++i)
        if ((mask >> i) & 1 && c[i].offset + c[i].size > end) end = c[i].offset + c[i].size;
    return end;
}

/// Offset of component @p i (>= 2, in @p mask) in a compacted-format area for the components of
/// @p mask (SDM Vol 1 13.4.3): the first at 576, each next one right after the previous, at the
/// next 64-byte boundary when its align64 bit says so. Components 0 and 1 are always in the
/// legacy region; they are never compacted.
constexpr uint32_t compacted_offset(uint64_t mask, unsigned i,
                                    const Component (&c)[MAX_COMPONENTS]) {
    uint32_t at = EXTENDED_REGION_OFFSET;
    for (unsigned j = 2; j < MAX_COMPONENTS; ++j) {
        if (!((mask >> j) & 1)) continue;
        if (c[j].align64) at = (at + AREA_ALIGN - 1) & ~(AREA_ALIGN - 1);
        if (j == i) return at;
        at += c[j].size;
    }
    return at;
}

/// Bytes of a compacted-format area for @p mask: what CPUID.(EAX=0DH,ECX=1):EBX must report for
/// XCR0 | IA32_XSS = @p mask (SDM Vol 2A CPUID, leaf 0DH).
constexpr uint32_t compacted_size(uint64_t mask, const Component (&c)[MAX_COMPONENTS]) {
    return compacted_offset(mask, MAX_COMPONENTS,
                            c); // no component MAX_COMPONENTS: the end of the last
}

/// What the hypervisor saves and restores for a vCPU whose XCR0 is @p guest_xcr0 (the RFBM of
/// its XSAVE/XRSTOR). The guest's XCR0 plus x87 and SSE: legacy SSE instructions depend on
/// CR4.OSFXSR, not on XCR0[1] (SDM Vol 1 13.3), so a guest running with XCR0 = x87 only (Linux
/// before it sets XCR0, a test guest that never does) still has XMM registers and MXCSR to keep.
constexpr uint64_t save_mask(uint64_t guest_xcr0) {
    return guest_xcr0 | XFEATURE_LEGACY;
}

/// Components a change of XCR0 from @p old_xcr0 to @p new_xcr0 brings into the save mask: their
/// registers hold whatever the CPU last had there (possibly another guest's), so they must be
/// put in their initial configuration before this guest can see them.
constexpr uint64_t newly_saved(uint64_t old_xcr0, uint64_t new_xcr0) {
    return save_mask(new_xcr0) & ~save_mask(old_xcr0);
}

/// Little-endian 64-bit read and write in an area (the header fields).
constexpr uint64_t get64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}
constexpr void put64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i)
        p[i] = uint8_t(v >> (8 * i));
}

/// A fresh standard-format area of @p bytes: every component in its initial configuration
/// (XSTATE_BV = 0, so XRSTOR initializes them, SDM Vol 1 13.8.1) and MXCSR at its reset value.
constexpr void init_area(uint8_t* area, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i)
        area[i] = 0;
    area[MXCSR_OFFSET] = uint8_t(MXCSR_RESET);
    area[MXCSR_OFFSET + 1] = uint8_t(MXCSR_RESET >> 8);
}

/// Mark the components of @p mask as in their initial configuration in a standard-format area:
/// the next XRSTOR initializes them instead of loading what the area holds.
constexpr void set_initial(uint8_t* area, uint64_t mask) {
    put64(area + XSTATE_BV_OFFSET, get64(area + XSTATE_BV_OFFSET) & ~mask);
}

} // namespace hv::xsave
