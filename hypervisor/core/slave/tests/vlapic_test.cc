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
    a.write(LVT_TIMER, (2u << 17) | 0xEC); // unmasked: the next deadline fires
    a.write(TSC_DEADLINE, 30);
    a.tick(40);
    CHECK(a.pending() == 0xEC);
    VirtualLapic b(1);
    b.write(SVR, 0xFF); // bit 8 clear: software-disabled
    b.deliver(0x40);
    CHECK(b.pending() == -1);
    b.write(SVR, 0x1FF); // enabled: what waited in the IRR is delivered now
    CHECK(b.pending() == 0x40);
}

TEST_CASE(
    "priorities: a vector waits while one of its class or higher is in service or TPR blocks it") {
    VirtualLapic a = enabled();
    a.deliver(0x41);
    a.accept(0x41);
    a.deliver(0x45); // same class as the one in service
    CHECK(a.pending() == -1);
    a.deliver(0x61);
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
    a.deliver(3); // an illegal vector: an error, not an interrupt
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

TEST_CASE("the register file: what is written reads back, the read-only registers say what they "
          "must") {
    VirtualLapic a(0x23);
    uint64_t v = 0;
    CHECK(a.write(TPR, 0x1234)); // 8 bits
    CHECK(a.read(TPR, v));
    CHECK(v == 0x34);
    for (uint32_t lvt : {0x82Fu, 0x832u, 0x833u, 0x834u, 0x835u, 0x836u, 0x837u}) {
        CHECK(a.read(lvt, v));
        CHECK(v == 0x10000); // masked at reset (SDM Vol 3A 11.4.7.1)
        CHECK(a.write(lvt, 0x40 + lvt));
        CHECK(a.read(lvt, v));
        CHECK(v == 0x40 + lvt);
    }
    CHECK_FALSE(a.read(0x831, v)); // between the ICR and the LVTs: reserved
    CHECK(a.write(SVR, 0x1FF));
    CHECK(a.read(SVR, v));
    CHECK(v == 0x1FF);
    CHECK(a.write(0x838, 12345)); // initial count
    CHECK(a.read(0x838, v));
    CHECK(v == 12345);
    CHECK(a.read(0x839, v)); // current count: only TSC-deadline mode is modelled
    CHECK(v == 0);
    CHECK_FALSE(a.write(0x839, 1));
    CHECK(a.write(0x83E, 0xB)); // divide configuration
    CHECK(a.read(0x83E, v));
    CHECK(v == 0xB);
    CHECK(a.write(ICR, 0x000000010000FD)); // kept for the ICR filter, and read back
    CHECK(a.read(ICR, v));
    CHECK(v == 0x000000010000FD);
    CHECK(a.write(TSC_DEADLINE, 4444));
    CHECK(a.read(TSC_DEADLINE, v));
    CHECK(v == 4444);
    CHECK(a.read(0x803, v));
    CHECK(v == 0x50014); // version
    CHECK(a.read(0x802, v));
    CHECK(v == 0x23);
    CHECK(a.read(0x80D, v));
    CHECK(v == ((2u << 16) | (1u << 3))); // LDR: cluster id >> 4, bit id & 15
    for (uint32_t ro : {0x802u, 0x803u, 0x80Au, 0x80Du, 0x810u, 0x818u, 0x820u})
        CHECK_FALSE(a.write(ro, 0)); // ID, version, PPR, LDR, ISR, TMR, IRR
    CHECK_FALSE(a.read(0x83F, v));   // SELF IPI is write-only
    CHECK(VirtualLapic::handles(0x800));
    CHECK(VirtualLapic::handles(0x8FF));
    CHECK_FALSE(VirtualLapic::handles(0x7FF));
    CHECK_FALSE(VirtualLapic::handles(0x900));
    CHECK_FALSE(VirtualLapic::handles(0x6E1));
}

TEST_CASE("IRR, ISR and PPR as the guest reads them") {
    VirtualLapic a = enabled();
    uint64_t v = 0;
    a.deliver(0x41); // word 2, bit 1
    a.deliver(0xE0); // word 7, bit 0
    CHECK(a.read(0x822, v));
    CHECK(v == 2);
    CHECK(a.read(0x827, v));
    CHECK(v == 1);
    CHECK(a.pending() == 0xE0); // the highest first, across words
    a.accept(0xE0);
    CHECK(a.read(0x827, v)); // IRR bit gone...
    CHECK(v == 0);
    CHECK(a.read(0x817, v)); // ...ISR bit set
    CHECK(v == 1);
    CHECK(a.read(0x80A, v));
    CHECK(v == 0xE0);        // PPR: the class in service
    CHECK(a.read(0x81A, v)); // TMR: edge-triggered, all 0
    CHECK(v == 0);
    a.write(EOI, 0);
    a.write(TPR, 0x35);
    CHECK(a.read(0x80A, v));
    CHECK(v == 0x35); // PPR: TPR, nothing in service
    a.accept(0x41);
    a.write(TPR, 0x25);
    CHECK(a.read(0x80A, v));
    CHECK(v == 0x40); // the in-service class is above TPR's
    a.write(TPR, 0x55);
    CHECK(a.read(0x80A, v));
    CHECK(v == 0x55);
    a.write(EOI, 0);
    a.write(EOI, 0); // nothing in service: nothing happens
    CHECK_FALSE(a.in_service(0x41));
    a.write(TPR, 0);
    a.deliver(16); // the lowest legal vector
    CHECK(a.pending() == 16);
    a.deliver(15); // illegal: the ESR says so, until a write clears it
    CHECK(a.read(0x828, v));
    CHECK(v == 0x40);
    a.write(0x828, 0);
    CHECK(a.read(0x828, v));
    CHECK(v == 0);
}

TEST_CASE("a deadline of 0 disarms the timer, and only TSC-deadline mode fires") {
    VirtualLapic a = enabled();
    a.write(TSC_DEADLINE, 100);
    a.write(TSC_DEADLINE, 0);
    a.tick(200);
    CHECK(a.pending() == -1);
    a.write(LVT_TIMER, (0u << 17) | 0xEC); // one-shot mode: not modelled, never fires
    a.write(TSC_DEADLINE, 300);
    a.tick(400);
    CHECK(a.pending() == -1);
    a.write(LVT_TIMER, (2u << 17) | 0xED); // its vector is the LVT's
    a.tick(500);
    CHECK(a.pending() == 0xED);
}
