// The virtual x2APIC (vlapic.h): what Linux does with its LAPIC, replayed.
#include "hypervisor/core/slave/vlapic.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
constexpr uint32_t TSC_DEADLINE = 0x6E0, TPR = 0x808, EOI = 0x80B, SVR = 0x80F, LVT_TIMER = 0x832,
                   SELF_IPI = 0x83F, ICR = 0x830;
VirtualLapic enabled() {
    VirtualLapic a(1);
    a.write(SVR, 0x1FF);                   // software-enabled, spurious vector 0xFF
    a.write(LVT_TIMER, (2u << 17) | 0xEC); // TSC-deadline mode, vector 0xEC (Linux's timer)
    return a;
}
} // namespace

TEST_CASE("the TSC-deadline timer fires once at its deadline") {
    VirtualLapic a = enabled();
    a.write(TSC_DEADLINE, 1000);
    a.tick(999);
    CHECK(a.pending() == -1);
    a.tick(1000);
    CHECK(a.pending() == 0xEC);
    CHECK(a.deadline() == 0);
    a.accept(0xEC);
    CHECK(a.pending() == -1);
    CHECK(a.in_service(0xEC));
    a.write(EOI, 0);
    CHECK_FALSE(a.in_service(0xEC));
    a.tick(5000);
    CHECK(a.pending() == -1); // one shot
}

TEST_CASE("a masked timer or a disabled APIC delivers nothing") {
    VirtualLapic a = enabled();
    a.write(LVT_TIMER, (2u << 17) | (1u << 16) | 0xEC);
    a.write(TSC_DEADLINE, 10);
    a.tick(20);
    CHECK(a.pending() == -1);
    VirtualLapic b(1);
    b.write(SVR, 0xFF); // bit 8 clear: software-disabled
    b.raise(0x40);
    CHECK(b.pending() == -1);
}

TEST_CASE(
    "priorities: a vector waits while one of its class or higher is in service or TPR blocks it") {
    VirtualLapic a = enabled();
    a.raise(0x41);
    a.accept(0x41);
    a.raise(0x45); // same class as the one in service
    CHECK(a.pending() == -1);
    a.raise(0x61);
    CHECK(a.pending() == 0x61);
    a.accept(0x61);
    a.write(EOI, 0); // ends 0x61, the highest in service
    CHECK(a.in_service(0x41));
    a.write(EOI, 0);
    CHECK(a.pending() == 0x45);
    a.write(TPR, 0x50);
    CHECK(a.pending() == -1);
    a.write(TPR, 0);
    CHECK(a.pending() == 0x45);
}

TEST_CASE("self IPIs, ICR writes handed to the filter, read-only and missing registers") {
    VirtualLapic a = enabled();
    a.write(SELF_IPI, 0xF6);
    CHECK(a.pending() == 0xF6);
    CHECK(a.write(ICR, 0x4500));
    CHECK(a.take_icr() == 0x4500);
    CHECK(a.take_icr() == 0);
    uint64_t v = 0;
    CHECK(a.read(0x802, v));
    CHECK(v == 1);
    CHECK(a.read(0x80D, v));
    CHECK(v == 2);                  // cluster 0, bit 1
    CHECK_FALSE(a.write(0x802, 5)); // ID is read-only
    CHECK_FALSE(a.read(EOI, v));    // write-only
    CHECK_FALSE(a.read(0x8FF, v));  // reserved
    CHECK(VirtualLapic::handles(0x6E0));
    CHECK(VirtualLapic::handles(0x830));
    CHECK_FALSE(VirtualLapic::handles(0x1B));
    a.raise(3); // an illegal vector: an error, not an interrupt
    CHECK(a.read(0x828, v));
    CHECK(v != 0);
}

TEST_CASE("seeded from a real LAPIC: the armed deadline carries over") {
    VirtualLapic a(1);
    a.seed(0x1FF, 0, (2u << 17) | 0xEC, 777);
    CHECK(a.deadline() == 777);
    a.tick(800);
    CHECK(a.pending() == 0xEC);
}
