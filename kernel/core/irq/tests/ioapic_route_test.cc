// Lab 2 step 2: ISA IRQ routes from the MADT's overrides, and IOAPIC redirection entries bit
// for bit (82093AA datasheet 3.2.4; ACPI 5.2.12.5, Table 5.50).
#include "core/irq/ioapic_route.h"

#include <catch2/catch.hpp>

using kern::Errc;
using kern::acpi::MadtInfo;
using kern::irq::isa_irq_route;
using kern::irq::redirection_entry;

namespace {
/// The overrides QEMU's q35 machine reports (as in its captured MADT): IRQ 0 on GSI 2, and
/// the PCI-routed IRQs 5, 9, 10, 11 level-triggered, active high.
MadtInfo q35_overrides() {
    MadtInfo m{};
    m.isos[0] = {0, 0, 2, 0x0};
    m.isos[1] = {0, 5, 5, 0xD};
    m.isos[2] = {0, 9, 9, 0xD};
    m.isos[3] = {0, 10, 10, 0xD};
    m.isos[4] = {0, 11, 11, 0xD};
    m.iso_count = 5;
    return m;
}

uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((uint64_t(1) << (hi - lo + 1)) - 1);
}
} // namespace

TEST_CASE("ISA IRQs: an override moves the IRQ and sets its signal and without one the ISA default "
          "holds") {
    MadtInfo m = q35_overrides();
    auto r = isa_irq_route(m, 0); // the PIT: override to GSI 2, flags 0 = conforms to ISA
    CHECK(r.gsi == 2);
    CHECK_FALSE(r.active_low);
    CHECK_FALSE(r.level);
    r = isa_irq_route(m, 9); // ACPI SCI: level, active high
    CHECK(r.gsi == 9);
    CHECK(r.level);
    CHECK_FALSE(r.active_low);
    r = isa_irq_route(m, 4); // COM1: no override
    CHECK(r.gsi == 4);
    CHECK_FALSE(r.level);
    CHECK_FALSE(r.active_low);
    // An active-low, level override elsewhere (flags 0xF), and one for another bus: ignored.
    m.isos[m.iso_count++] = {0, 7, 23, 0xF};
    m.isos[m.iso_count++] = {1, 3, 40, 0xF};
    r = isa_irq_route(m, 7);
    CHECK(r.gsi == 23);
    CHECK(r.active_low);
    CHECK(r.level);
    r = isa_irq_route(m, 3);
    CHECK(r.gsi == 3);
    CHECK_FALSE(r.active_low);
    CHECK_FALSE(r.level);
    // Explicit edge (01b) and active high (01b), flags 0x5.
    m.isos[m.iso_count++] = {0, 12, 12, 0x5};
    r = isa_irq_route(m, 12);
    CHECK(r.gsi == 12);
    CHECK_FALSE(r.active_low);
    CHECK_FALSE(r.level);
}

TEST_CASE(
    "redirection entries: vector, physical destination, polarity, trigger, mask, fixed delivery") {
    for (bool low : {false, true})
        for (bool level : {false, true})
            for (bool masked : {false, true}) {
                auto e = redirection_entry(0x50, 0x2A, low, level, masked);
                REQUIRE(e.ok());
                uint64_t v = e.value();
                INFO("active_low " << low << " level " << level << " masked " << masked);
                CHECK(bits(v, 7, 0) == 0x50);  // vector
                CHECK(bits(v, 10, 8) == 0);    // delivery mode: fixed
                CHECK(bits(v, 11, 11) == 0);   // destination mode: physical
                CHECK(bits(v, 13, 13) == low); // polarity
                CHECK(bits(v, 15, 15) == level);
                CHECK(bits(v, 16, 16) == masked);
                CHECK(bits(v, 63, 56) == 0x2A); // destination APIC id
                CHECK(bits(v, 55, 17) == 0);
                CHECK(bits(v, 12, 12) == 0); // delivery status: read-only, written as 0
                CHECK(bits(v, 14, 14) == 0); // remote IRR: read-only, written as 0
            }
    auto e = redirection_entry(0xEF, 0xFF, false, false, false);
    REQUIRE(e.ok());
    CHECK(e.value() == 0xFF000000000000EFull);
}

TEST_CASE("redirection entries: reserved vectors and APIC ids above 255 are refused") {
    for (unsigned v : {0u, 1u, 15u, 255u}) {
        auto e = redirection_entry(uint8_t(v), 0, false, false, false);
        REQUIRE_FALSE(e.ok());
        CHECK(e.error().code == Errc::invalid_argument);
    }
    CHECK(redirection_entry(16, 0, false, false, false).ok());
    CHECK(redirection_entry(254, 0, false, false, false).ok());
    auto e = redirection_entry(0x50, 256, false, false, false);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == Errc::invalid_argument);
}
