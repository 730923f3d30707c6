// Lab 0: frame-pointer backtraces over a fake stack.
#include "core/backtrace.h"

#include <catch2/catch.hpp>
#include <map>

using kern::walk_frames;

namespace {
// A fake memory: address -> word. Anything absent is "unmapped".
std::map<uint64_t, uint64_t> g_mem;
bool fake_read(uint64_t addr, uint64_t* out) {
    auto it = g_mem.find(addr);
    if (it == g_mem.end()) return false;
    *out = it->second;
    return true;
}
void frame(uint64_t rbp, uint64_t saved_rbp, uint64_t rip) {
    g_mem[rbp] = saved_rbp;
    g_mem[rbp + 8] = rip;
}
} // namespace

TEST_CASE("walks a well-formed chain to rbp == 0", "[lab0]") {
    g_mem.clear();
    frame(0x1000, 0x1040, 0xaaa);
    frame(0x1040, 0x1100, 0xbbb);
    frame(0x1100, 0, 0xccc);
    uint64_t rips[8] = {};
    REQUIRE(walk_frames(0x1000, fake_read, rips, 8) == 3);
    CHECK(rips[0] == 0xaaa);
    CHECK(rips[1] == 0xbbb);
    CHECK(rips[2] == 0xccc);
}

TEST_CASE("stops at max entries", "[lab0]") {
    g_mem.clear();
    frame(0x1000, 0x1040, 1);
    frame(0x1040, 0x1100, 2);
    frame(0x1100, 0, 3);
    uint64_t rips[2] = {};
    CHECK(walk_frames(0x1000, fake_read, rips, 2) == 2);
    CHECK(rips[1] == 2);
}

TEST_CASE("a cycle or a downward link ends the walk", "[lab0]") {
    g_mem.clear();
    frame(0x2000, 0x2040, 7);
    frame(0x2040, 0x2000, 8); // points back down: corrupt
    uint64_t rips[16] = {};
    CHECK(walk_frames(0x2000, fake_read, rips, 16) == 2);
    g_mem.clear();
    frame(0x3000, 0x3000, 9); // points to itself
    CHECK(walk_frames(0x3000, fake_read, rips, 16) == 1);
}

TEST_CASE("unreadable or misaligned frames end the walk", "[lab0]") {
    g_mem.clear();
    frame(0x1000, 0x5000, 1); // 0x5000 is unmapped
    uint64_t rips[4] = {};
    CHECK(walk_frames(0x1000, fake_read, rips, 4) == 1);
    CHECK(rips[0] == 1);
    g_mem.clear();
    frame(0x1000, 0x1043, 1); // misaligned next frame
    frame(0x1043, 0, 2);
    CHECK(walk_frames(0x1000, fake_read, rips, 4) == 1);
    CHECK(walk_frames(0, fake_read, rips, 4) == 0);
}
