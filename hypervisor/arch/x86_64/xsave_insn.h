// One-instruction wrappers for the XSAVE feature set (SDM Vol 1 chapter 13; the instructions in
// Vol 2C/2D). The master itself has no extended state (it is built with -mgeneral-regs-only and
// leaves CR4.OSFXSR clear): these save and restore its guests' x87/SSE/AVX registers.
//
// All three need CR4.OSXSAVE (vmx_enable_cpu() sets it) and fault (#GP) on a bad operand: a
// misaligned area, an RFBM outside XCR0, a header XRSTOR refuses. Their callers
// (hypervisor/guest_fpu.cc) pass only 64-byte-aligned areas that XSAVE wrote or init_area()
// built, with an RFBM they have just loaded into XCR0, so none of them can fail there.
#pragma once

#include <stdint.h>

namespace hv::xsave_insn {

/// XSAVE64: store the components of RFBM = XCR0 & @p rfbm into the standard-format area at
/// @p area (64-byte aligned), the 64-bit form (FPU IP/DP as 64-bit offsets).
[[gnu::always_inline]] inline void xsave64(void* area, uint64_t rfbm) {
    asm volatile("xsave64 %0"
                 : "+m"(*static_cast<uint8_t(*)[576]>(area))
                 : "a"(uint32_t(rfbm)), "d"(uint32_t(rfbm >> 32))
                 : "memory");
}

/// XRSTOR64: load the components of XCR0 & @p rfbm from the area at @p area, initializing those
/// whose XSTATE_BV bit is clear.
[[gnu::always_inline]] inline void xrstor64(const void* area, uint64_t rfbm) {
    asm volatile("xrstor64 %0" ::"m"(*static_cast<const uint8_t(*)[576]>(area)),
                 "a"(uint32_t(rfbm)), "d"(uint32_t(rfbm >> 32))
                 : "memory");
}

/// XGETBV: read extended control register @p ecx (0: XCR0; 1: XINUSE, if CPUID says so).
[[gnu::always_inline]] inline uint64_t xgetbv(uint32_t ecx) {
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(ecx));
    return (uint64_t(hi) << 32) | lo;
}

} // namespace hv::xsave_insn
