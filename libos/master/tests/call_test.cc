// One delegated call on a caller slot (call.h), against a scripted daemon: the rings and bulk
// buffers of a real channel layout in host memory, a fake clock that moves only while the
// caller waits, and a "slave" that reads requests and answers (or lies, or stays silent)
// whenever the caller waits.
#include "libos/master/call.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace libos;
using namespace vlibos;

namespace {

/// A channel region with a slave scripted by the test.
struct Daemon final : CallEnv {
    uint8_t* region = static_cast<uint8_t*>(std::aligned_alloc(4096, CHANNEL_BYTES));
    uint64_t t = 1000;                 ///< the fake TSC
    uint64_t step = 100;               ///< how much time passes at each wait
    bool up = true;                    ///< slave_up()
    bool wait_ok = true;               ///< what wait() returns
    unsigned waits = 0;                ///< wait() calls
    unsigned pushes = 0;               ///< pushed() calls
    bool visible_at_push = true;       ///< every pushed() found a request in the ring
    uint64_t last_deadline = 0;        ///< the deadline of the last wait()
    std::vector<Request> seen;         ///< requests the slave read, in order
    std::vector<std::string> payloads; ///< their payloads
    /// What the slave does at each wait (default: answer every request read, honestly).
    std::function<void(Daemon&)> on_wait = [](Daemon& d) { d.serve(0); };

    Daemon() { std::memset(region, 0, CHANNEL_BYTES); }
    ~Daemon() { std::free(region); }

    // The slave's ends of caller slot c's rings, at their current indices.
    RingConsumer<Request> requests_of(uint32_t c) {
        return RingConsumer<Request>(region + request_ring_offset(c));
    }
    RingProducer<Response> responses_of(uint32_t c) {
        return RingProducer<Response>(region + response_ring_offset(c));
    }
    RingControl& control(uint64_t offset) {
        return *reinterpret_cast<RingControl*>(region + offset);
    }

    /// The master's slot c, fresh.
    CallerSlot slot(uint32_t c) {
        CallerSlot s;
        s.index = c;
        s.requests = RingProducer<Request>(region + request_ring_offset(c));
        s.responses = RingConsumer<Response>(region + response_ring_offset(c));
        return s;
    }

    /// Read every request of slot c; answer each as an honest vlibosd would (READ: up to 5
    /// bytes of "hello"; everything else: its first argument back... 0 for NOP).
    void serve(uint32_t c, bool answer = true) {
        RingConsumer<Request> in = requests_of(c);
        RingProducer<Response> out = responses_of(c);
        Request r;
        while (in.pop(r) == RingStatus::ok) {
            seen.push_back(r);
            const char* b = reinterpret_cast<const char*>(buffer(r.buffer));
            payloads.emplace_back(b, b + (r.len < BUFFER_BYTES ? r.len : 0));
            if (!answer) continue;
            Response a = honest(r);
            REQUIRE(out.push(a) == RingStatus::ok);
        }
    }
    Response honest(const Request& r) {
        Response a{};
        a.seq = r.seq;
        a.op = r.op;
        a.buffer = r.buffer;
        a.service_ns = 777;
        if (r.op == OP_READ) {
            a.result = r.args[1] < 5 ? r.args[1] : 5;
            a.len = uint32_t(a.result);
            std::memcpy(buffer(r.buffer), "hello", 5);
        } else if (r.op == OP_WRITE) {
            a.result = r.len;
        }
        return a;
    }
    void push_response(uint32_t c, const Response& a) {
        REQUIRE(responses_of(c).push(a) == RingStatus::ok);
    }

    uint64_t now() override { return t; }
    bool slave_up() override { return up; }
    uint8_t* buffer(uint32_t i) override {
        REQUIRE(i < BUFFERS);
        return region + BUFFERS_OFFSET + uint64_t(i) * BUFFER_BYTES;
    }
    void pushed() override {
        ++pushes;
        bool any = false;
        for (uint32_t c = 0; c < CALLERS; ++c) {
            RingControl& k = control(request_ring_offset(c));
            any = any || k.head != k.tail;
        }
        visible_at_push = visible_at_push && any;
    }
    bool wait(uint64_t deadline) override {
        ++waits;
        last_deadline = deadline;
        REQUIRE(t < deadline); // nobody waits once the deadline has passed
        t += step;
        if (on_wait) on_wait(*this);
        return wait_ok;
    }
};

int64_t call(Daemon& d, CallerSlot& s, Op op, std::vector<int64_t> args = {},
             const std::string& payload = "", void* out = nullptr, uint32_t out_cap = 0,
             uint32_t* out_len = nullptr, CallReport* rep = nullptr, uint64_t timeout = 100000) {
    args.resize(6, 0);
    CallReport local;
    CallArgs a{op, args.data(), payload.data(), uint32_t(payload.size()), out, out_cap, out_len};
    return call_on_slot(s, a, timeout, d, rep ? *rep : local);
}

} // namespace

TEST_CASE("a call sends its request with a fresh seq, the slot's buffer, its arguments and "
          "payload, and returns the answer") {
    Daemon d;
    d.on_wait = [](Daemon& x) { x.serve(3); };
    CallerSlot s = d.slot(3);
    CallReport rep;
    CHECK(call(d, s, OP_WRITE, {5, 3}, "abc", nullptr, 0, nullptr, &rep) == 3);
    CHECK(rep.end == CallEnd::answered);
    CHECK(rep.service_ns == 777);
    CHECK(rep.stale == 0);
    REQUIRE(d.seen.size() == 1);
    const Request& r = d.seen[0];
    CHECK(r.seq == 1);
    CHECK(r.op == OP_WRITE);
    CHECK(r.buffer == 3 * BUFFERS_PER_CALLER + 1);
    CHECK(r.len == 3);
    CHECK(r.args[0] == 5);
    CHECK(r.args[1] == 3);
    CHECK(r.args[2] == 0);
    CHECK(d.payloads[0] == "abc");
    CHECK(d.pushes == 1);
    CHECK(d.visible_at_push); // the daemon is woken for a request it can already read

    // The next call of the slot: the next seq and buffer; result data copied out, capped.
    char out[8];
    std::memset(out, '#', sizeof out);
    uint32_t got = 99;
    CHECK(call(d, s, OP_READ, {5, 100}, "", out, 4, &got) == 5);
    CHECK(got == 4);
    CHECK(std::string(out, 8) == "hell####");
    REQUIRE(d.seen.size() == 2);
    CHECK(d.seen[1].seq == 2);
    CHECK(d.seen[1].buffer == 3 * BUFFERS_PER_CALLER + 2);
    CHECK(d.seen[1].len == 0);
    CHECK(d.seen[1].args[1] == 100);
    CHECK(s.seq == 2);
    CHECK(s.unanswered == 0);

    // No output buffer, though a capacity is given: nothing copied anywhere, count 0.
    got = 99;
    int64_t read5[6] = {5, 5, 0, 0, 0, 0};
    CallArgs nowhere{OP_READ, read5, nullptr, 0, nullptr, 100, &got};
    CallReport rep1;
    CHECK(call_on_slot(s, nowhere, 100000, d, rep1) == 5);
    CHECK(got == 0);
    // No arguments at all: zeros. No output buffer: nothing copied, count 0.
    CallArgs none{OP_READ, nullptr, nullptr, 0, nullptr, 0, &got};
    CallReport rep2;
    d.seen.clear();
    CHECK(call_on_slot(s, none, 100000, d, rep2) == 0);
    REQUIRE(d.seen.size() == 1);
    for (int i = 0; i < 6; ++i)
        CHECK(d.seen[0].args[i] == 0);
    CHECK(got == 0);
}

TEST_CASE("sequence numbers skip 0 when they wrap, and buffers follow them") {
    Daemon d;
    CallerSlot s = d.slot(0);
    s.seq = 0xFFFFFFFEu;
    CHECK(call(d, s, OP_NOP) == 0);
    CHECK(d.seen.back().seq == 0xFFFFFFFFu);
    CHECK(d.seen.back().buffer == 7 % BUFFERS_PER_CALLER);
    CHECK(call(d, s, OP_NOP) == 0);
    CHECK(d.seen.back().seq == 1); // 0 means "none" for a slot's unanswered call
    CHECK(d.seen.back().buffer == 1);
    for (uint32_t i = 0; i < 2 * BUFFERS_PER_CALLER; ++i) {
        CHECK(call(d, s, OP_NOP) == 0);
        CHECK(d.seen.back().buffer == d.seen.back().seq % BUFFERS_PER_CALLER);
    }
}

TEST_CASE("a call without an answer times out at its deadline, and its late answer is dropped "
          "before the slot is used again") {
    Daemon d;
    d.on_wait = [](Daemon& x) { x.serve(2, false); }; // reads, never answers
    CallerSlot s = d.slot(2);
    CallReport rep;
    uint64_t start = d.t;
    CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep, 1000) == -CE_TIMEDOUT);
    CHECK(rep.end == CallEnd::timed_out);
    CHECK(d.t >= start + 1000);         // not before its deadline...
    CHECK(d.t < start + 1000 + d.step); // ...and at the first look after it
    CHECK(d.last_deadline == start + 1000);
    CHECK(s.unanswered == 1); // Linux may still answer it
    REQUIRE(d.seen.size() == 1);

    // The slot cannot take a call while that answer may still come...
    uint32_t stale = 0;
    CHECK_FALSE(drain_slot(s, stale));
    CHECK(stale == 0);
    // ...an answer to an even older call is not the one...
    Response older = d.honest(d.seen[0]);
    older.seq = 0x7777;
    d.push_response(2, older);
    CHECK_FALSE(drain_slot(s, stale));
    CHECK(stale == 1);
    // ...and once it came, the slot is free again.
    d.push_response(2, d.honest(d.seen[0]));
    CHECK(drain_slot(s, stale));
    CHECK(stale == 2);
    CHECK(s.unanswered == 0);
    CHECK(!s.corrupt);
}

TEST_CASE("a late answer that arrives during a call is dropped, and the call gets its own") {
    Daemon d;
    CallerSlot s = d.slot(1);
    s.seq = 40;
    s.unanswered = 0;
    // The slave answers call 40 (timed out long ago) first, then this one.
    d.on_wait = [](Daemon& x) {
        Request r;
        RingConsumer<Request> in = x.requests_of(1);
        while (in.pop(r) == RingStatus::ok) {
            Response late = x.honest(r);
            late.seq = 40;
            late.buffer = 1 * BUFFERS_PER_CALLER + 40 % BUFFERS_PER_CALLER;
            late.result = 666;
            x.push_response(1, late);
            Response own = x.honest(r);
            own.result = 5;
            own.len = 0;
            x.push_response(1, own);
        }
    };
    CallReport rep;
    CHECK(call(d, s, OP_LSEEK, {3, 5, 0}, "", nullptr, 0, nullptr, &rep) == 5);
    CHECK(rep.end == CallEnd::answered);
    CHECK(rep.stale == 1);
}

TEST_CASE("a response that does not answer the request, or claims too much, is refused") {
    Daemon d;
    CallerSlot s = d.slot(0);
    char out[16];
    auto lie = [&](std::function<void(Response&)> edit) {
        d.on_wait = [edit](Daemon& x) {
            Request r;
            RingConsumer<Request> in = x.requests_of(0);
            while (in.pop(r) == RingStatus::ok) {
                Response a = x.honest(r);
                edit(a);
                x.push_response(0, a);
            }
        };
        std::memset(out, '#', sizeof out);
        CallReport rep;
        uint32_t got = 1234;
        int64_t r = call(d, s, OP_READ, {4, 5}, "", out, sizeof out, &got, &rep);
        CHECK(rep.end == CallEnd::rejected);
        CHECK(got == 1234);                   // nothing reported...
        CHECK(std::string(out, 4) == "####"); // ...nothing copied
        return r;
    };
    CHECK(lie([](Response& a) { a.op = OP_WRITE; }) == -CE_PROTO);
    CHECK(lie([](Response& a) { a.buffer ^= 1; }) == -CE_PROTO);
    CHECK(lie([](Response& a) {
              a.result = 20000;
              a.len = 20000;
          }) == -CE_PROTO);
    CHECK(!s.corrupt); // a bad answer fails its call; the ring itself is fine
}

TEST_CASE("an impossible ring index fails the call and retires the slot") {
    SECTION("the response ring") {
        Daemon d;
        d.on_wait = [](Daemon& x) {
            x.serve(4, false);
            RingControl& k = x.control(response_ring_offset(4));
            k.head = k.tail + SLOTS + 1; // more ready than the ring holds
        };
        CallerSlot s = d.slot(4);
        CallReport rep;
        CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_PROTO);
        CHECK(rep.end == CallEnd::rejected);
        CHECK(s.corrupt);
        uint32_t stale = 0;
        CHECK_FALSE(drain_slot(s, stale));
    }
    SECTION("the request ring") {
        Daemon d;
        CallerSlot s = d.slot(5);
        d.control(request_ring_offset(5)).tail = 1000; // the slave "read" what was never sent
        CallReport rep;
        CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_PROTO);
        CHECK(rep.end == CallEnd::rejected);
        CHECK(s.corrupt);
        CHECK(d.pushes == 0);
    }
}

TEST_CASE("a slave that stops fails the call at once") {
    Daemon d;
    CallerSlot s = d.slot(0);
    d.on_wait = [](Daemon& x) {
        x.serve(0, false);
        x.up = false;
    };
    CallReport rep;
    CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_NOTCONN);
    CHECK(rep.end == CallEnd::not_connected);
    CHECK(d.waits == 1);
    // The caller ran the slave and it stopped (babysat): the same.
    Daemon e;
    CallerSlot t = e.slot(0);
    e.on_wait = [](Daemon& x) { x.serve(0, false); };
    e.wait_ok = false;
    CHECK(call(e, t, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_NOTCONN);
    CHECK(rep.end == CallEnd::not_connected);
    CHECK(e.waits == 1);
}

TEST_CASE("a full request ring makes the call wait for room, but not past its deadline") {
    // Slot 6's request ring full of requests the slave has not read (seq 0: nobody's).
    Daemon d;
    CallerSlot s = d.slot(6);
    Request filler{};
    for (uint32_t i = 0; i < SLOTS; ++i)
        REQUIRE(s.requests.push(filler) == RingStatus::ok);
    SECTION("room comes") {
        CallReport rep;
        d.on_wait = [](Daemon& x) { x.serve(6); };
        CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == 0);
        CHECK(rep.end == CallEnd::answered);
        CHECK(rep.stale == SLOTS); // the fillers' answers
        CHECK(d.seen.size() == SLOTS + 1);
    }
    SECTION("the slave stops meanwhile") {
        d.on_wait = [](Daemon& x) { x.up = false; };
        CallReport rep;
        CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_NOTCONN);
        CHECK(rep.end == CallEnd::not_connected);
        CHECK(d.waits == 1); // not until the deadline
        CHECK(d.pushes == 0);
    }
    SECTION("it does not") {
        d.on_wait = nullptr; // the slave reads nothing
        CallReport rep;
        uint64_t start = d.t;
        CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep, 1000) == -CE_TIMEDOUT);
        CHECK(rep.end == CallEnd::timed_out);
        CHECK(d.t >= start + 1000);
        CHECK(d.pushes == 0);
        CHECK(s.unanswered == 0); // never sent: nothing of it can come back
    }
}

TEST_CASE("the caller pays Linux's time on its call, never more than it waited") {
    const uint64_t hz = 2000000000; // a 2 GHz TSC: 2 cycles per nanosecond
    CHECK(call_charge(1000, 100000, hz) == 2000);
    CHECK(call_charge(1000, 1500, hz) == 1500);    // Linux claims more than the wait
    CHECK(call_charge(0, 100000, hz) == 0);        // the null call
    CHECK(call_charge(999, 100000, 1000000) == 0); // 1 MHz: under a cycle, rounded down
    CHECK(call_charge(1500, 100000, 1000000) == 1);
    // Huge figures: no overflow, the wait at most.
    CHECK(call_charge(99999999999ull, ~0ull, 3000000000ull) == 299999999997ull);
    CHECK(call_charge(100000000000ull, 12345, hz) == 12345);
    CHECK(call_charge(~0ull, 777, hz) == 777);
}

TEST_CASE("waiting: spin looks again at once, poll backs off to its cap, doorbell sleeps until "
          "the ring, none past the deadline") {
    WaitPlan s = plan_wait(WaitMode::spin, 1000, 99999, 50, 800, 1000);
    CHECK_FALSE(s.sleep);
    CHECK(s.next_interval == 50);

    WaitPlan p = plan_wait(WaitMode::poll, 1000, 99999, 50, 800, 1000);
    CHECK(p.sleep);
    CHECK_FALSE(p.until_doorbell);
    CHECK(p.until == 1050);
    CHECK(p.next_interval == 100);
    uint64_t interval = 50;
    for (int i = 0; i < 6; ++i)
        interval = plan_wait(WaitMode::poll, 1000, 99999, interval, 800, 1000).next_interval;
    CHECK(interval == 800); // 100, 200, 400, 800, then capped
    CHECK(plan_wait(WaitMode::poll, 1000, 99999, 600, 800, 1000).next_interval == 800);
    CHECK(plan_wait(WaitMode::poll, 1000, 1020, 50, 800, 1000).until == 1020); // the deadline

    WaitPlan d = plan_wait(WaitMode::doorbell, 1000, 99999, 50, 800, 1000);
    CHECK(d.sleep);
    CHECK(d.until_doorbell);
    CHECK(d.until == 2000); // the fallback when a doorbell is lost
    CHECK(d.next_interval == 50);
    CHECK(plan_wait(WaitMode::doorbell, 1000, 1500, 50, 800, 1000).until == 1500);
}

TEST_CASE("a retired slot or a payload too long for a buffer is refused before anything is sent") {
    Daemon d;
    CallerSlot s = d.slot(0);
    s.corrupt = true;
    CallReport rep;
    CHECK(call(d, s, OP_NOP, {}, "", nullptr, 0, nullptr, &rep) == -CE_PROTO);
    CHECK(rep.end == CallEnd::rejected);
    CHECK(s.seq == 0); // no sequence number used
    s.corrupt = false;
    std::string big(BUFFER_BYTES + 1, 'x');
    CHECK(call(d, s, OP_WRITE, {1, int64_t(big.size())}, big, nullptr, 0, nullptr, &rep) ==
          -CE_INVAL);
    CHECK(rep.end == CallEnd::rejected);
    CHECK(d.pushes == 0);
    CHECK(d.control(request_ring_offset(0)).head == 0); // nothing in the ring
    std::string fits(BUFFER_BYTES, 'y');
    CHECK(call(d, s, OP_WRITE, {1, int64_t(fits.size())}, fits) == int64_t(BUFFER_BYTES));
    // drain_slot does not even look at a retired slot's rings.
    Response late = d.honest(d.seen.back());
    late.seq = 77;
    d.push_response(0, late);
    s.corrupt = true;
    s.unanswered = 77;
    uint32_t stale = 0;
    CHECK_FALSE(drain_slot(s, stale));
    CHECK(stale == 0);
    CHECK(s.unanswered == 77);
}
