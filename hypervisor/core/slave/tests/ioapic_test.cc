// The emulated I/O APIC's register file: what Linux's I/O APIC code reads at boot (ID, version and
// the number of pins) and writes when a driver requests IRQ 4 (a redirection entry, high half
// first), and what the hypervisor reads back to deliver the pin.
#include "hypervisor/core/slave/ioapic.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
uint32_t reg(IoApic& a, uint32_t r) {
    a.write(IoApic::IOREGSEL, r);
    return a.read(IoApic::IOWIN);
}
void set(IoApic& a, uint32_t r, uint32_t v) {
    a.write(IoApic::IOREGSEL, r);
    a.write(IoApic::IOWIN, v);
}
} // namespace

TEST_CASE("version 0x20 with 24 pins, an id that keeps only bits 27:24") {
    IoApic a;
    CHECK(reg(a, 1) == 0x00170020);
    set(a, 0, 0xFFFFFFFF);
    CHECK(reg(a, 0) == 0x0F000000);
    CHECK(a.read(IoApic::IOREGSEL) == 0);
}

TEST_CASE("every pin starts masked, an unmasked entry gives its vector, and only a valid one") {
    IoApic a;
    for (unsigned p = 0; p < IoApic::PINS; ++p)
        CHECK(a.vector(p) == -1);
    set(a, 0x10 + 2 * 4 + 1, 0x01000000); // high: destination APIC 1
    set(a, 0x10 + 2 * 4, 0x00000031);     // low: vector 0x31, fixed, edge, unmasked
    CHECK(a.vector(4) == 0x31);
    CHECK(a.entry(4) == 0x0100000000000031ull);
    CHECK(reg(a, 0x18) == 0x31);
    CHECK(reg(a, 0x19) == 0x01000000);
    set(a, 0x18, 0x00010031); // masked again
    CHECK(a.vector(4) == -1);
    set(a, 0x18, 0x0000000E); // an exception vector: never delivered
    CHECK(a.vector(4) == -1);
    CHECK(a.vector(3) == -1);
    CHECK(a.vector(IoApic::PINS) == -1);
}

TEST_CASE("registers past the last pin and other offsets read 0 and ignore writes") {
    IoApic a;
    set(a, 0x10 + 2 * IoApic::PINS, 0x42);
    CHECK(reg(a, 0x10 + 2 * IoApic::PINS) == 0);
    a.write(IoApic::EOI, 0x31);
    CHECK(a.read(IoApic::EOI) == 0);
    CHECK(a.read(0x20) == 0);
    CHECK(IoApic::covers(0xFEC00010));
    CHECK_FALSE(IoApic::covers(0xFEC01000));
    CHECK_FALSE(IoApic::covers(0xFEBFFFFC));
}
