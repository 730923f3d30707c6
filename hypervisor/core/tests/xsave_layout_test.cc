// The XSAVE area layout from CPUID leaf 0xD values (SDM Vol 1 13.4), with the component table
// of an AVX-512 CPU (Skylake-SP: what Bochs' corei7_skylake_x reports).
#include "hypervisor/core/xsave_layout.h"

#include <catch2/catch.hpp>

using namespace hv::xsave;

namespace {
// CPUID.(EAX=0DH,ECX=i): EAX size, EBX standard offset, ECX bit 1 align64.
constexpr Component skylake(unsigned i) {
    switch (i) {
    case 2:
        return {256, 576, false}; // AVX: YMM_Hi128
    case 3:
        return {64, 960, false}; // MPX BNDREGS
    case 4:
        return {64, 1024, false}; // MPX BNDCSR
    case 5:
        return {64, 1088, false}; // AVX-512 opmask
    case 6:
        return {512, 1152, false}; // ZMM_Hi256
    case 7:
        return {1024, 1664, false}; // Hi16_ZMM
    case 9:
        return {8, 2688, false}; // PKRU
    default:
        return {};
    }
}
struct Table {
    Component c[MAX_COMPONENTS];
    constexpr Table() : c{} {
        for (unsigned i = 0; i < MAX_COMPONENTS; ++i)
            c[i] = skylake(i);
    }
};
constexpr Table T;
constexpr uint64_t X87_SSE_AVX = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
} // namespace

TEST_CASE(
    "standard format: the legacy region and header, then each component at its CPUID offset") {
    STATIC_REQUIRE(EXTENDED_REGION_OFFSET == 576);
    CHECK(standard_size(XFEATURE_X87, T.c) == 576);
    CHECK(standard_size(XFEATURE_LEGACY, T.c) == 576);
    CHECK(standard_size(X87_SSE_AVX, T.c) == 832);
    CHECK(standard_size(0xE7, T.c) == 2688);
    CHECK(standard_size(0x2E7, T.c) == 2696); // + PKRU: CPUID.(0DH,0):ECX on Skylake-SP
}

TEST_CASE(
    "compacted format: x87 and SSE stay in the legacy region, AVX starts right after the header") {
    CHECK(compacted_offset(X87_SSE_AVX, 2, T.c) == 576); // where Bochs 2.7's XSAVEC fails to put it
    CHECK(compacted_size(X87_SSE_AVX, T.c) == 832);
    CHECK(compacted_size(XFEATURE_LEGACY, T.c) == 576);
    // Without AVX the opmask moves down to 576; the components pack one after the other.
    CHECK(compacted_offset(0xE3, 5, T.c) == 576);
    CHECK(compacted_offset(0xE7, 5, T.c) == 832);
    CHECK(compacted_offset(0xE7, 6, T.c) == 896);
    CHECK(compacted_offset(0xE7, 7, T.c) == 1408);
    CHECK(compacted_size(0xE7, T.c) == 2432);
}

TEST_CASE("compacted format: a component with the align64 bit starts on a 64-byte boundary") {
    Table t;
    t.c[9] = {8, 2688, true};
    t.c[10] = {8, 2696, true};
    CHECK(compacted_offset(0x607, 9, t.c) == 832);
    CHECK(compacted_offset(0x607, 10, t.c) == 896); // 840 rounded up
    CHECK(compacted_size(0x607, t.c) == 904);
}

TEST_CASE("the save mask always has x87 and SSE, a wider XCR0 brings components to initialize") {
    CHECK(save_mask(XFEATURE_X87) == XFEATURE_LEGACY); // SSE works without XCR0[1] (CR4.OSFXSR)
    CHECK(save_mask(X87_SSE_AVX) == X87_SSE_AVX);
    CHECK(newly_saved(XFEATURE_X87, XFEATURE_LEGACY) == 0);
    CHECK(newly_saved(XFEATURE_X87, X87_SSE_AVX) == XFEATURE_AVX);
    CHECK(newly_saved(X87_SSE_AVX, XFEATURE_LEGACY) == 0);
}

TEST_CASE("a fresh area: every component initial, MXCSR at its reset value, set_initial clears "
          "XSTATE_BV bits") {
    uint8_t a[832];
    for (uint8_t& b : a)
        b = 0xA5;
    init_area(a, sizeof a);
    CHECK(get64(a + XSTATE_BV_OFFSET) == 0);
    CHECK(get64(a + XCOMP_BV_OFFSET) == 0); // standard format
    CHECK((a[MXCSR_OFFSET] | a[MXCSR_OFFSET + 1] << 8) == 0x1F80);
    CHECK(a[FCW_OFFSET] == 0);
    CHECK(a[831] == 0);
    put64(a + XSTATE_BV_OFFSET, 7);
    set_initial(a, XFEATURE_AVX);
    CHECK(get64(a + XSTATE_BV_OFFSET) == 3);
}
