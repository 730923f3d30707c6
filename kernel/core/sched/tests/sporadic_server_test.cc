// Lab 4: the sporadic server. Scenarios in the style of Sprunt, Sha, Lehoczky 1989,
// with the corrections of Stanovich et al. 2010; all times in cycles.
#include "core/sched/sporadic_server.h"

#include <catch2/catch.hpp>

#include <stdint.h>
#include <vector>

using namespace kern;

namespace {

// budget() + pending amounts: must always be C.
uint64_t capacity(const SporadicServer& s) {
    uint64_t sum = s.budget();
    for (size_t i = 0; i < s.pending(); ++i)
        sum += s.pending_at(i).amount;
    return sum;
}

} // namespace

TEST_CASE("consumed budget returns at activation plus T", "[lab4]") {
    SporadicServer s({30, 100});
    s.start(10);       // activation time 10
    s.consume(25, 15); // ran 10..25
    CHECK(s.budget() == 15);
    REQUIRE(s.pending() == 1);
    CHECK(s.pending_at(0).time == 110);
    CHECK(s.pending_at(0).amount == 15);
    CHECK(s.next_replenishment() == 110);
    s.replenish(109);
    CHECK(s.budget() == 15);
    s.replenish(110);
    CHECK(s.budget() == 30);
    CHECK(s.next_replenishment() == NO_REPLENISHMENT);
}

TEST_CASE("each chunk is replenished separately at its own activation plus T", "[lab4]") {
    // Sprunt et al.: two aperiodic requests served at 0 and 40 give two replenishments.
    SporadicServer s({30, 100});
    s.start(0);
    s.consume(10, 10);
    s.start(40);
    s.consume(50, 10);
    CHECK(s.budget() == 10);
    REQUIRE(s.pending() == 2);
    CHECK(s.pending_at(0).time == 100);
    CHECK(s.pending_at(1).time == 140);
    s.start(100); // replenishes the first chunk on the way in
    CHECK(s.budget() == 20);
    // Charging while the VCPU keeps running closes the chunk: the next one starts at 105.
    s.consume(105, 5);
    s.consume(112, 7);
    REQUIRE(s.pending() == 3);
    CHECK(s.pending_at(1).time == 200);
    CHECK(s.pending_at(2).time == 205);
    CHECK(s.budget() == 8);
    CHECK(capacity(s) == 30);
}

TEST_CASE("full depletion then replenishment", "[lab4]") {
    SporadicServer s({30, 100});
    CHECK(!s.exhausted());
    s.start(0);
    s.consume(30, 30);
    CHECK(s.exhausted());
    CHECK(s.budget() == 0);
    s.start(50); // a replenishment is not due yet: still exhausted
    CHECK(s.exhausted());
    CHECK(s.next_replenishment() == 100);
    s.replenish(100);
    CHECK(s.budget() == 30);
    CHECK(!s.exhausted());
}

TEST_CASE("an idle server that becomes active gets its full budget", "[lab4]") {
    SporadicServer s({50, 100});
    s.start(0);
    s.consume(7, 7);
    s.start(20);
    s.consume(41, 21);
    s.start(90);
    s.consume(95, 5);
    CHECK(s.budget() == 17);
    s.start(195); // idle for a full period since the last activation
    CHECK(s.budget() == 50);
    CHECK(s.pending() == 0);
}

TEST_CASE("a full replenishment queue merges into the latest entry", "[lab4]") {
    SporadicServer s({100, 1000});
    // 24 chunks of 2 cycles at 0, 10, 20, ...: 16 fit, the other 8 merge into the last entry.
    for (uint64_t k = 0; k < 24; ++k) {
        s.start(10 * k);
        s.consume(10 * k + 2, 2);
        CHECK(s.pending() <= MAX_REPLENISHMENTS);
        CHECK(capacity(s) == 100);
    }
    REQUIRE(s.pending() == MAX_REPLENISHMENTS);
    CHECK(s.budget() == 100 - 48);
    CHECK(s.pending_at(0).time == 1000);
    CHECK(s.pending_at(0).amount == 2);
    // The merged entry carries 9 chunks and the latest time: budget comes back late, never early.
    CHECK(s.pending_at(15).amount == 18);
    CHECK(s.pending_at(15).time == 1230);
    s.replenish(1229);
    CHECK(s.budget() == 100 - 18);
    s.replenish(1230);
    CHECK(s.budget() == 100);
}

TEST_CASE("an overrun is paid back from later replenishments", "[lab4]") {
    SporadicServer s({30, 100});
    s.start(0);
    s.consume(40, 40); // overran by 10 (e.g. a non-preemptible section)
    CHECK(s.budget() == 0);
    CHECK(s.debt() == 10);
    CHECK(capacity(s) == 30);
    s.replenish(100); // 30 arrive, 10 pay the debt and come back at 200
    CHECK(s.budget() == 20);
    CHECK(s.debt() == 0);
    CHECK(s.next_replenishment() == 200);
    s.replenish(200);
    CHECK(s.budget() == 30);
}

TEST_CASE("randomized: never more than C in any window of T", "[lab4]") {
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    auto rnd = [&seed](uint64_t n) { // xorshift64, uniform enough for a simulation
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed % n;
    };
    for (int round = 0; round < 20; ++round) {
        const uint64_t period = 20 + rnd(200), budget = 1 + rnd(period / 2);
        SporadicServer s({budget, period});
        const uint64_t steps = 5000;
        std::vector<uint8_t> ran(steps, 0);
        bool running = false;
        uint64_t chunk_start = 0, idle_since = 0;
        for (uint64_t t = 0; t < steps; ++t) {
            if (!running && rnd(4) != 0) { // mostly greedy, sometimes idle
                s.start(t);
                if (t - idle_since >= period)
                    CHECK(s.budget() == budget); // idle long enough: full budget
                running = !s.exhausted();
                chunk_start = t;
            }
            if (running) {
                if (rnd(8) == 0) s.replenish(t); // a replenishment timer fires while it runs
                uint64_t used = t - chunk_start;
                if (used >= s.budget() || rnd(10) == 0) { // out of budget, or blocks
                    s.consume(t, used);
                    running = false;
                    idle_since = t;
                } else if (rnd(10) == 0) { // a scheduler tick charges it and it runs on
                    s.consume(t, used);
                    chunk_start = t;
                }
            }
            if (running) ran[t] = 1;
            CHECK(s.pending() <= MAX_REPLENISHMENTS);
            REQUIRE(capacity(s) == budget);
        }
        // The sliding-window property over every window [w, w + T).
        uint64_t in_window = 0, worst = 0;
        for (uint64_t t = 0; t < steps; ++t) {
            in_window += ran[t];
            if (t >= period) in_window -= ran[t - period];
            worst = in_window > worst ? in_window : worst;
        }
        INFO("C=" << budget << " T=" << period);
        CHECK(worst <= budget);
        CHECK(worst > 0);
    }
}
