// The SPSC ring: order, full and empty, a two-thread stress test with millions of messages,
// and an untrusted peer that writes impossible indices.
#include "libos/channel/ring.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

using namespace vlibos;

namespace {
struct Region {
    alignas(4096) std::vector<uint8_t> bytes = std::vector<uint8_t>(RESPONSE_RING_OFFSET -
                                                                        REQUEST_RING_OFFSET,
                                                                    0);
    void* ring() { return bytes.data(); }
    RingControl& ctl() { return *reinterpret_cast<RingControl*>(bytes.data()); }
};
Request req(uint32_t seq) {
    Request r{};
    r.seq = seq;
    r.op = OP_NOP;
    r.args[0] = int64_t(seq) * 3;
    r.args[5] = -int64_t(seq);
    return r;
}
} // namespace

TEST_CASE("messages come out in order, a full ring refuses, an empty one says so") {
    Region m;
    RingProducer<Request> p(m.ring());
    RingConsumer<Request> c(m.ring());
    Request out{};
    CHECK(c.pop(out) == RingStatus::empty);
    for (uint32_t i = 0; i < SLOTS; ++i)
        REQUIRE(p.push(req(i)) == RingStatus::ok);
    CHECK(p.push(req(999)) == RingStatus::full);
    CHECK(p.in_flight() == SLOTS);
    for (uint32_t i = 0; i < SLOTS; ++i) {
        REQUIRE(c.pop(out) == RingStatus::ok);
        CHECK(out.seq == i);
        CHECK(out.args[0] == int64_t(i) * 3);
    }
    CHECK(c.pop(out) == RingStatus::empty);
    CHECK(p.push(req(1000)) == RingStatus::ok); // room again
}

TEST_CASE("two threads, 4 million messages: nothing lost, duplicated, reordered or torn") {
    Region m;
    constexpr uint32_t N = 4'000'000;
    std::atomic<bool> producer_saw_corrupt{false}; // Catch2's assertions are not thread-safe
    std::thread producer([&] {
        RingProducer<Request> p(m.ring());
        for (uint32_t i = 0; i < N;) {
            RingStatus s = p.push(req(i));
            if (s == RingStatus::ok)
                ++i;
            else if (s == RingStatus::corrupt)
                return producer_saw_corrupt.store(true);
            else
                std::this_thread::yield();
        }
    });
    RingConsumer<Request> c(m.ring());
    uint64_t bad = 0, corrupt = 0;
    for (uint32_t expect = 0; expect < N && corrupt == 0;) {
        Request out{};
        RingStatus s = c.pop(out);
        if (s == RingStatus::empty) {
            std::this_thread::yield();
            continue;
        }
        if (s == RingStatus::corrupt) {
            ++corrupt;
            break;
        }
        bad += out.seq != expect || out.args[0] != int64_t(expect) * 3 ||
               out.args[5] != -int64_t(expect);
        ++expect;
    }
    producer.join();
    CHECK_FALSE(producer_saw_corrupt.load());
    CHECK(corrupt == 0);
    CHECK(bad == 0);
    Request out{};
    CHECK(c.pop(out) == RingStatus::empty);
}

TEST_CASE("an untrusted peer's impossible index is reported, never used") {
    Region m;
    RingProducer<Request> p(m.ring());
    RingConsumer<Request> c(m.ring());
    Request out{};
    // The producer side claims 1000 messages: more than the ring holds.
    m.ctl().head = 1000;
    CHECK(c.pop(out) == RingStatus::corrupt);
    m.ctl().head = 0;
    // The consumer side claims to have consumed messages never produced.
    m.ctl().tail = 5;
    CHECK(p.push(req(1)) == RingStatus::corrupt);
    CHECK(p.in_flight() == SLOTS + 1);
    m.ctl().tail = 0;
    CHECK(p.push(req(1)) == RingStatus::ok);
    // A consumer never takes its position from shared memory once attached: a peer that
    // rewinds "tail" does not make it read a slot twice.
    REQUIRE(c.pop(out) == RingStatus::ok);
    m.ctl().tail = 0;
    CHECK(c.pop(out) == RingStatus::empty);
}
