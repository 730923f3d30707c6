// Lab 0 step 2: interrupt_gate() against the gate layout of SDM Vol 3A 7.14.1, Figure 7-8,
// read back from the gate's 16 bytes as the CPU reads them (two little-endian quadwords).
#include "arch/x86_64/descriptors.h"

#include <catch2/catch.hpp>
#include <cstring>

using kern::x86::GateDescriptor;
using kern::x86::interrupt_gate;

namespace {
struct Raw {
    uint64_t low, high;
};

Raw raw(const GateDescriptor& g) {
    Raw r;
    std::memcpy(&r, &g, sizeof r);
    return r;
}

uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((uint64_t(1) << (hi - lo + 1)) - 1);
}

/// The handler address as the CPU assembles it: offset 15:0, 31:16, 63:32.
uint64_t target(const Raw& r) {
    return bits(r.low, 15, 0) | bits(r.low, 63, 48) << 16 | bits(r.high, 31, 0) << 32;
}
} // namespace

TEST_CASE("the handler address is split over the three offset fields") {
    for (uint64_t handler : {0xFFFFFFFF80123456ull, 0x0000000000101000ull, 0xFFFF800012345678ull,
                             0x00007FFFFFFFFFF0ull}) {
        Raw r = raw(interrupt_gate(handler, 0, 0));
        CHECK(target(r) == handler);
    }
}

TEST_CASE("the kernel's code segment, a present 64-bit interrupt gate, reserved bits 0") {
    Raw r = raw(interrupt_gate(0xFFFFFFFF80ABCDEFull, 0, 0));
    CHECK(bits(r.low, 31, 16) == kern::x86::KERNEL_CS); // segment selector
    CHECK(bits(r.low, 47, 47) == 1);                    // P
    CHECK(bits(r.low, 44, 44) == 0);                    // 0: a system descriptor
    CHECK(bits(r.low, 43, 40) == 0xE);                  // type: 64-bit interrupt gate
    CHECK(bits(r.low, 39, 35) == 0);                    // bits 39:35 are 0
    CHECK(bits(r.high, 63, 32) == 0);                   // reserved
}

TEST_CASE("DPL and IST land in their fields and nowhere else") {
    for (unsigned dpl = 0; dpl < 4; ++dpl)
        for (unsigned ist = 0; ist < 8; ++ist) {
            Raw r = raw(interrupt_gate(0x1000, dpl, ist));
            INFO("dpl " << dpl << " ist " << ist);
            CHECK(bits(r.low, 46, 45) == dpl);
            CHECK(bits(r.low, 34, 32) == ist);
            CHECK(target(r) == 0x1000);
            CHECK(bits(r.low, 43, 40) == 0xE);
            CHECK(bits(r.low, 47, 47) == 1);
        }
}
