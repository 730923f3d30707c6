// The run loop's record of a vCPU's last exits (exit_history.h): the ring keeps the newest 16,
// oldest first, and each prints as one line.
#include "hypervisor/core/exit_history.h"
#include "hypervisor/core/exit_reason.h"

#include <catch2/catch.hpp>

#include <string>

using namespace hv;

TEST_CASE("exit history: the last 16 exits, oldest first") {
    ExitHistory h;
    CHECK(h.size() == 0);
    h.record(10, 0, 0x1000);
    h.record(18, 0, 0x1002);
    REQUIRE(h.size() == 2);
    CHECK(h[0].rip == 0x1000);
    CHECK(h[1].reason == 18);
    for (uint64_t i = 0; i < 40; ++i)
        h.record(uint32_t(i), i * 2, 0x2000 + i);
    CHECK(h.total() == 42);
    REQUIRE(h.size() == ExitHistory::SIZE);
    CHECK(h[0].reason == 24); // exits 24..39 are the last 16
    CHECK(h[15].reason == 39);
    CHECK(h[15].qualification == 78);
    CHECK(h[15].rip == 0x2027);
}

TEST_CASE("exit history: one line per exit, counted back from the last") {
    ExitHistory h;
    h.record(uint32_t(ExitReason::EXIT_REASON_CPUID), 0, 0x10002);
    h.record(uint32_t(ExitReason::EXIT_REASON_EPT_VIOLATION), 0x182, 0x10004);
    h.record(0x80000021, 0, 0x10000); // a failed entry: bit 31 and basic reason 33
    char line[160];
    exit_history_line(h, 1, line, sizeof line);
    CHECK(std::string(line) == "   -2  EPT_VIOLATION (48)  qualification 0x182  RIP 0x10004");
    exit_history_line(h, 2, line, sizeof line);
    CHECK(std::string(line).find("-1  INVALID_STATE (33) (entry failed)") != std::string::npos);
}
