// vlibos-xsavecheck: does this CPU (Bochs 2.7 in the kit) implement the XSAVE features the
// slave's CPUID offers as the SDM says? User mode can execute XSAVE, XSAVEOPT, XSAVEC, XRSTOR
// and XGETBV whatever CPUID says (only XSAVES is privileged), so every one is checked, and each
// finding is marked offered or hidden:
//
//   XSAVE     the standard-format image of a known state (SDM Vol 1 13.4, 13.7): XMM, YMM upper
//             halves at CPUID.(0DH,2):EBX, x87 registers, XSTATE_BV
//   XSAVEOPT  the same image as XSAVE, also after an XRSTOR from the same area and one changed
//             register (the "modified" optimization, SDM Vol 1 13.9)
//   XSAVEC    the compacted image (SDM Vol 1 13.4.3, 13.10): XCOMP_BV, AVX at the offset the SDM's
//             rule gives (hypervisor/core/xsave_layout.h)
//   XGETBV(1) XINUSE has every component not in its initial configuration (SDM Vol 1 13.6)
//   CPUID 0xD the sizes it reports for the current XCR0 against the ones computed from the
//             components' offsets and sizes
//
//   xsavecheck: XSAVEC (hidden): WRONG: AVX upper halves at offset 416, the SDM says 576
//   xsavecheck: result=pass            (every offered feature is right; hidden ones may not be)
#include "programs.h"

#include "hypervisor/core/xsave_layout.h"

#include <cinttypes>
#include <cpuid.h>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>

using namespace hv::xsave;

namespace {

constexpr uint64_t X87_SSE_AVX = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
constexpr size_t AREA = 4096;

alignas(64) uint8_t g_std[AREA], g_opt[AREA], g_cmp[AREA], g_std2[AREA];
alignas(32) uint8_t g_ymm[16][32];
uint64_t g_st[8];

sigjmp_buf g_jmp;
void on_sigill(int) {
    siglongjmp(g_jmp, 1);
}

// Not inlined: every load runs the same instructions at the same addresses, so the x87 "last
// instruction" fields the images carry (FOP, FIP, FDP) agree between them.
[[gnu::noinline]] void load_state() {
    asm volatile(".irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
                 "vmovdqu 32*\\i(%0), %%ymm\\i\n\t"
                 ".endr\n\t"
                 "fninit\n\t"
                 ".irp k, 0,1,2,3,4,5,6,7\n\t"
                 "fldl 8*\\k(%1)\n\t"
                 ".endr" ::"r"(g_ymm),
                 "r"(g_st)
                 : "memory");
}
void xsave(uint8_t* a) {
    asm volatile("xsave64 (%0)" ::"r"(a), "a"(7), "d"(0) : "memory");
}
void xsaveopt(uint8_t* a) {
    asm volatile("xsaveopt64 (%0)" ::"r"(a), "a"(7), "d"(0) : "memory");
}
void xsavec(uint8_t* a) {
    asm volatile("xsavec64 (%0)" ::"r"(a), "a"(7), "d"(0) : "memory");
}
void xrstor(const uint8_t* a) {
    asm volatile("xrstor64 (%0)" ::"r"(a), "a"(7), "d"(0) : "memory");
}
uint64_t xgetbv(uint32_t c) {
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(c));
    return (uint64_t(hi) << 32) | lo;
}
/// Clear the x87 stack and the YMM registers (VZEROALL) so that only a restore brings them back.
void clobber() {
    asm volatile("fninit\n\tvzeroall" ::: "memory");
}

int g_wrong_offered = 0;
void finding(const char* what, bool offered, bool ok, const char* detail) {
    std::printf("xsavecheck: %s (%s): %s%s%s\n", what, offered ? "offered" : "hidden",
                ok ? "ok" : "WRONG", detail[0] ? ": " : "", detail);
    if (!ok && offered) ++g_wrong_offered;
}

/// Where the 16-byte upper half of YMM0 is in `a` (the first of 16 consecutive ones), or -1.
long find_upper_halves(const uint8_t* a) {
    for (long off = 0; off + 256 <= long(AREA); off += 16) {
        bool all = true;
        for (int r = 0; r < 16 && all; ++r)
            all = std::memcmp(a + off + 16 * r, g_ymm[r] + 16, 16) == 0;
        if (all) return off;
    }
    return -1;
}

/// The first byte where two images differ, or -1.
long first_difference(const uint8_t* x, const uint8_t* y, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return long(i);
    return -1;
}

/// Where the 16-byte upper half of YMM0 is in `a`, or -1.
long find_upper_half0(const uint8_t* a) {
    for (long off = 0; off + 16 <= long(AREA); off += 16)
        if (std::memcmp(a + off, g_ymm[0] + 16, 16) == 0) return off;
    return -1;
}

/// The standard image holds the state loaded: XMM at 160, YMM upper halves at `avx_off`, ST0-7.
bool image_ok(const uint8_t* a, uint32_t avx_off, char* why, size_t n) {
    for (int r = 0; r < 16; ++r) {
        if (std::memcmp(a + XMM0_OFFSET + 16 * r, g_ymm[r], 16) != 0)
            return std::snprintf(why, n, "XMM%d not at offset %u", r, XMM0_OFFSET + 16 * r), false;
        if (std::memcmp(a + avx_off + 16 * r, g_ymm[r] + 16, 16) != 0)
            return std::snprintf(why, n, "YMM%d upper half not at offset %u", r, avx_off + 16 * r),
                   false;
    }
    if ((get64(a + XSTATE_BV_OFFSET) & X87_SSE_AVX) != X87_SSE_AVX)
        return std::snprintf(why, n, "XSTATE_BV %#" PRIx64 " lacks x87/SSE/AVX",
                             get64(a + XSTATE_BV_OFFSET)),
               false;
    return true;
}

} // namespace

int xsavecheck_main(int, char**) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __get_cpuid(1, &a, &b, &c, &d);
    if (!(c & (1u << 27)) || !(c & (1u << 28)) || (xgetbv(0) & X87_SSE_AVX) != X87_SSE_AVX) {
        std::printf(
            "xsavecheck: result=fail reason=\"no OSXSAVE/AVX or XCR0 lacks x87/SSE/AVX\"\n");
        return 1;
    }
    uint64_t xcr0 = xgetbv(0);
    __cpuid_count(0xD, 1, a, b, c, d);
    uint32_t d1 = a, compacted_reported = b;
    bool has_opt = d1 & CPUID_D1_XSAVEOPT, has_c = d1 & CPUID_D1_XSAVEC,
         has_x1 = d1 & CPUID_D1_XGETBV1;
    __cpuid_count(0xD, 0, a, b, c, d);
    uint64_t supported = (uint64_t(d) << 32) | a;
    uint32_t std_reported = b, max_reported = c;
    Component comp[MAX_COMPONENTS] = {};
    for (unsigned i = 2; i < MAX_COMPONENTS; ++i)
        if ((supported >> i) & 1) {
            __cpuid_count(0xD, i, a, b, c, d);
            comp[i] = Component{a, b, (c & CPUID_DI_ALIGN64) != 0};
        }
    std::printf("xsavecheck: XCR0 %#" PRIx64
                ", CPUID.(0DH,1):EAX %#x (XSAVEOPT %s, XSAVEC %s, XGETBV1 %s)\n",
                xcr0, d1, has_opt ? "offered" : "hidden", has_c ? "offered" : "hidden",
                has_x1 ? "offered" : "hidden");

    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (auto& r : g_ymm)
        for (int q = 0; q < 4; ++q) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            std::memcpy(r + 8 * q, &s, 8);
        }
    for (uint64_t& v : g_st) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        v = (s >> 12) | 0x3FF0000000000000ull;
    }
    char why[160] = "";
    uint32_t avx_std = comp[2].offset;

    // XSAVE: the reference image, and XRSTOR of it brings the state back.
    load_state();
    xsave(g_std);
    bool ok = image_ok(g_std, avx_std, why, sizeof why);
    clobber();
    xrstor(g_std);
    xsave(g_std2);
    if (ok && std::memcmp(g_std, g_std2, 576 + 256) != 0)
        ok = false, std::snprintf(why, sizeof why, "XRSTOR then XSAVE gives another image");
    finding("XSAVE/XRSTOR", true, ok, ok ? "standard image as the SDM lays it out" : why);

    // XSAVEOPT: the same image; then after XRSTOR from its own area and a changed YMM3, again.
    load_state();
    xsaveopt(g_opt);
    ok = std::memcmp(g_opt, g_std, 576 + 256) == 0;
    if (ok) {
        xrstor(g_opt);
        g_ymm[3][20] ^= 0xFF; // an upper-half byte
        asm volatile("vmovdqu %0, %%ymm3" ::"m"(g_ymm[3]));
        xsaveopt(g_opt);
        xsave(g_std2);
        ok = std::memcmp(g_opt, g_std2, 576 + 256) == 0 &&
             std::memcmp(g_opt + avx_std + 48, g_ymm[3] + 16, 16) == 0;
        g_ymm[3][20] ^= 0xFF;
        if (!ok)
            std::snprintf(why, sizeof why,
                          "after XRSTOR from the same area, XSAVEOPT missed a changed YMM3");
    } else {
        long at = first_difference(g_opt, g_std, 576 + 256);
        std::snprintf(why, sizeof why,
                      "image differs from XSAVE's from byte %ld on (XSAVEOPT %02x, XSAVE %02x)", at,
                      g_opt[at], g_std[at]);
    }
    finding("XSAVEOPT", has_opt, ok,
            ok ? "same image as XSAVE, also after XRSTOR + a change" : why);

    // XSAVEC: XCOMP_BV and the compacted offsets (SDM Vol 1 13.4.3).
    signal(SIGILL, on_sigill);
    if (sigsetjmp(g_jmp, 1) == 0) {
        load_state();
        xsavec(g_cmp);
        uint32_t want = compacted_offset(X87_SSE_AVX, 2, comp);
        uint64_t xcomp = get64(g_cmp + XCOMP_BV_OFFSET);
        long at = find_upper_halves(g_cmp);
        long at0 = find_upper_half0(g_cmp);
        ok = xcomp == (XCOMP_BV_COMPACTED | X87_SSE_AVX) && at == long(want) &&
             std::memcmp(g_cmp, g_std, XMM0_OFFSET + 16 * 16) == 0;
        if (!ok)
            std::snprintf(why, sizeof why,
                          "YMM0's upper half at offset %ld (all 16 together: %ld), the SDM says "
                          "%u; XCOMP_BV %#" PRIx64,
                          at0, at, want, xcomp);
        finding("XSAVEC", has_c, ok, ok ? "compacted image as the SDM lays it out" : why);
    } else {
        finding("XSAVEC", has_c, !has_c, "#UD");
    }
    signal(SIGILL, SIG_DFL);

    // XGETBV(1): with every component loaded with non-initial values, XINUSE has them all.
    if (sigsetjmp(g_jmp, 1) == 0) {
        signal(SIGILL, on_sigill);
        load_state();
        uint64_t inuse = xgetbv(1);
        ok = (inuse & X87_SSE_AVX) == X87_SSE_AVX && !(inuse & ~xcr0);
        std::snprintf(why, sizeof why, "XINUSE %#" PRIx64 " with x87, SSE and AVX state loaded",
                      inuse);
        finding("XGETBV(1)", has_x1, ok, why);
    } else {
        finding("XGETBV(1)", has_x1, !has_x1, "#UD");
    }
    signal(SIGILL, SIG_DFL);

    // CPUID 0xD sizes, as the slave sees them, against the components' own offsets and sizes.
    uint32_t want_std = standard_size(xcr0, comp), want_max = standard_size(supported, comp);
    uint32_t want_cmp = compacted_size(xcr0, comp);
    ok = std_reported == want_std && max_reported == want_max && compacted_reported == want_cmp;
    std::snprintf(why, sizeof why,
                  "standard %u (computed %u), all components %u (%u), compacted %u (%u)",
                  std_reported, want_std, max_reported, want_max, compacted_reported, want_cmp);
    finding("CPUID 0xD sizes", true, ok, why);

    if (g_wrong_offered)
        std::printf(
            "xsavecheck: result=fail reason=\"%d offered XSAVE feature(s) wrong (lines above)\"\n",
            g_wrong_offered);
    else
        std::printf("xsavecheck: result=pass\n");
    return g_wrong_offered ? 1 : 0;
}
