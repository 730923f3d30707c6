// Lab 2 step 3: start_ap() on the host, against a fake local APIC that records every IPI and a
// fake clock that only udelay() advances: the start-up sequence's IPIs, their order and the
// waits between them (SDM Vol 3A 9.4.4.1; MultiProcessor Specification B.4), which an emulator
// cannot tell apart from a sequence without them.
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/smp/smp.h"
#include "arch/x86_64/time/clock.h"

#include <catch2/catch.hpp>
#include <vector>

namespace {
struct Ipi {
    uint64_t at_us;
    uint32_t dest, icr_low;
};
std::vector<Ipi> g_ipis;
uint64_t g_now_us;
uint64_t g_online_at_us; // when the fake AP says it runs (0: never)
volatile bool* g_online;

void reset(volatile bool* online, uint64_t online_at_us) {
    g_ipis.clear();
    g_now_us = 0;
    g_online_at_us = online_at_us;
    g_online = online;
    *online = false;
}

constexpr uint32_t delivery(uint32_t icr) {
    return icr & 0x700; // ICR bits 10:8
}
} // namespace

namespace kern {
void udelay(uint64_t us) {
    g_now_us += us;
    if (g_online_at_us && g_now_us >= g_online_at_us) *g_online = true;
}
namespace lapic {
void send_ipi(uint32_t dest, uint32_t icr_low) {
    g_ipis.push_back({g_now_us, dest, icr_low});
}
} // namespace lapic
} // namespace kern

TEST_CASE(
    "an AP that never answers: INIT, 10 ms, a Start-Up IPI, 200 us, another, then the timeout") {
    volatile bool online = false;
    reset(&online, 0);
    auto r = kern::start_ap(7, 0x08, &online, 100000);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kern::Errc::timeout);
    REQUIRE(g_ipis.size() == 3);
    for (const Ipi& i : g_ipis)
        CHECK(i.dest == 7);
    CHECK(delivery(g_ipis[0].icr_low) == kern::lapic::INIT);
    CHECK(g_ipis[0].icr_low & kern::lapic::ICR_LEVEL_ASSERT);
    for (int k : {1, 2}) {
        INFO("Start-Up IPI " << k);
        CHECK(delivery(g_ipis[k].icr_low) == kern::lapic::STARTUP);
        CHECK((g_ipis[k].icr_low & 0xFF) == 0x08); // the vector: the trampoline's page
    }
    CHECK(g_ipis[1].at_us - g_ipis[0].at_us >= 10000);
    CHECK(g_ipis[2].at_us - g_ipis[1].at_us >= 200);
    // It waited for the AP as long as it was told to, and not much longer.
    CHECK(g_now_us - g_ipis[2].at_us >= 100000);
    CHECK(g_now_us <= 10000 + 200 + 100000 + 1000);
}

TEST_CASE("an AP that answers: start_ap returns soon after it does") {
    volatile bool online = false;
    reset(&online, 10000 + 150); // 150 us after the first Start-Up IPI (sent at 10 ms)
    auto r = kern::start_ap(3, 0x08, &online, 100000);
    REQUIRE(r.ok());
    REQUIRE(g_ipis.size() >= 2);
    CHECK(delivery(g_ipis[0].icr_low) == kern::lapic::INIT);
    CHECK(delivery(g_ipis[1].icr_low) == kern::lapic::STARTUP);
    CHECK(g_now_us <= 10000 + 200 + 1000); // not the whole timeout
}
