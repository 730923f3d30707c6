// A caller's run of the babysat slave (babysat_budget.h): the slave's clock across parking, the
// caller's budget and the master's timer before each entry, and what the caller does after.
#include "hypervisor/core/slave/babysat_budget.h"

#include <catch2/catch.hpp>

using namespace hv;

TEST_CASE("the slave's clock skips the time it spent parked, once per run") {
    int64_t offset = -1000; // the slave's TSC was 4000 when it parked at host 5000
    BabysatRun run(8000, 1000000, 0, 5000, offset);
    CHECK_FALSE(run.started());
    BabysatClock clock{};
    uint64_t left = 0;
    BabysitResult why{};
    REQUIRE(run.before_entry(8000, clock, left, why));
    CHECK(run.started());
    CHECK(offset == -4000);
    CHECK(clock.tsc_offset == -4000);
    CHECK(clock.host_now == 8000);
    CHECK(clock.guest_now() == 4000); // where it stopped: no time passed for it
    REQUIRE(run.before_entry(8500, clock, left, why));
    CHECK(offset == -4000); // not again
    CHECK(clock.guest_now() == 4500);
}

TEST_CASE("the budget left shrinks as the run goes, and a spent budget ends it") {
    int64_t offset = 0;
    BabysatRun run(8000, 1000, 0, 8000, offset);
    BabysatClock clock{};
    uint64_t left = 0;
    BabysitResult why{BabysitEnd::stopped, 7};
    REQUIRE(run.before_entry(8000, clock, left, why));
    CHECK(left == 1000);
    REQUIRE(run.before_entry(8600, clock, left, why));
    CHECK(left == 400);
    REQUIRE(run.before_entry(8999, clock, left, why));
    CHECK(left == 1);
    CHECK_FALSE(run.before_entry(9000, clock, left, why));
    CHECK(why.end == BabysitEnd::budget);
    CHECK_FALSE(run.before_entry(9500, clock, left, why));
    CHECK(why.end == BabysitEnd::budget);
}

TEST_CASE("the master's timer ends the run once it is due, before the budget does") {
    int64_t offset = 0;
    BabysatRun run(8000, 1000000, 8500, 8000, offset);
    BabysatClock clock{};
    uint64_t left = 0;
    BabysitResult why{};
    REQUIRE(run.before_entry(8499, clock, left, why));
    CHECK(clock.master_timer_due == 8500); // for the preemption timer (babysat_plan_entry)
    CHECK(left == 1000000 - 499);
    CHECK_FALSE(run.before_entry(8500, clock, left, why));
    CHECK(why.end == BabysitEnd::preempted);
    // Both due: the master's timer first (its thread must run now; the caller's budget waits).
    int64_t o2 = 0;
    BabysatRun both(8000, 100, 8050, 8000, o2);
    CHECK_FALSE(both.before_entry(8200, clock, left, why));
    CHECK(why.end == BabysitEnd::preempted);
    // No master timer: only the budget ends it.
    int64_t o3 = 0;
    BabysatRun none(8000, 1000000, 0, 8000, o3);
    REQUIRE(none.before_entry(900000, clock, left, why));
    CHECK(clock.master_timer_due == 0);
}

TEST_CASE("after a run the caller looks, gives up the CPU, sleeps or fails") {
    const uint64_t now = 8000, deadline = 20000, poll = 50;
    CHECK(after_babysit({BabysitEnd::responded, 0}, now, deadline, poll).kind == CallerNext::look);
    CHECK(after_babysit({BabysitEnd::preempted, 0}, now, deadline, poll).kind == CallerNext::look);
    CHECK(after_babysit({BabysitEnd::budget, 0}, now, deadline, poll).kind == CallerNext::yield);
    CHECK(after_babysit({BabysitEnd::stopped, 0}, now, deadline, poll).kind == CallerNext::fail);
    CHECK(after_babysit({BabysitEnd::unavailable, 0}, now, deadline, poll).kind ==
          CallerNext::fail);
    CallerNext n = after_babysit({BabysitEnd::idle, 9000}, now, deadline, poll);
    CHECK(n.kind == CallerNext::sleep);
    CHECK(n.until == 9000); // the slave's next timer
    n = after_babysit({BabysitEnd::idle, 25000}, now, deadline, poll);
    CHECK(n.kind == CallerNext::sleep);
    CHECK(n.until == deadline); // never past the call's deadline
    n = after_babysit({BabysitEnd::idle, 0}, now, deadline, poll);
    CHECK(n.kind == CallerNext::sleep);
    CHECK(n.until == now + poll); // no timer armed: look again a little later
    n = after_babysit({BabysitEnd::idle, 0}, 19990, deadline, poll);
    CHECK(n.until == deadline);
}
