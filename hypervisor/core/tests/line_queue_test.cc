// The ring that holds the exit handlers' console lines until interrupts are on again.
#include "hypervisor/core/line_queue.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using hv::LineQueue;

TEST_CASE("lines come out in the order they went in, with their prefix") {
    LineQueue<4, 32> q;
    char out[32];
    REQUIRE(q.empty());
    REQUIRE_FALSE(q.pop(out));
    q.push("[g]", "one", 3);
    q.push(nullptr, "two", 3);
    REQUIRE_FALSE(q.empty());
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "[g] one");
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "two");
    REQUIRE_FALSE(q.pop(out));
    REQUIRE(q.empty());
}

TEST_CASE("a full queue counts what it drops, and keeps what it has") {
    LineQueue<2, 16> q;
    char out[16];
    q.push(nullptr, "a", 1);
    q.push(nullptr, "b", 1);
    q.push(nullptr, "c", 1);
    q.push(nullptr, "d", 1);
    REQUIRE(q.take_dropped() == 2);
    REQUIRE(q.take_dropped() == 0);
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "a");
    q.push(nullptr, "e", 1); // room again, across the ring's end
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "b");
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "e");
    REQUIRE(q.empty());
}

TEST_CASE("a line longer than the slot is cut, NUL-terminated, and stops at a NUL") {
    LineQueue<2, 8> q;
    char out[8];
    q.push("[x]", "abcdefgh", 8);
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "[x] abc");
    q.push(nullptr, "ab\0cd", 5);
    REQUIRE(q.pop(out));
    REQUIRE(std::string(out) == "ab");
}

TEST_CASE("a dropped line alone keeps the queue from being empty until it is reported") {
    LineQueue<1, 8> q;
    char out[8];
    q.push(nullptr, "a", 1);
    q.push(nullptr, "b", 1);
    REQUIRE(q.pop(out));
    REQUIRE_FALSE(q.empty());
    REQUIRE(q.take_dropped() == 1);
    REQUIRE(q.empty());
}
