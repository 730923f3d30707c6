// vlibosd's dispatcher on the host: a channel in ordinary memory, the test playing the master
// on several caller slots. A call that blocks in Linux (an ACCEPT nobody answers) must delay no
// other caller, a caller's calls stay in order, a flooding caller gets one request per turn,
// every response rings the doorbell, a corrupt slot stops only itself, and the dispatcher
// stops with a worker still blocked in Linux.
#include "libos/channel/ring.h"
#include "libos/daemon/dispatcher.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace vlibos;
using Clock = std::chrono::steady_clock;

namespace {

struct Rig {
    uint8_t* region = static_cast<uint8_t*>(std::aligned_alloc(4096, CHANNEL_BYTES));
    ChannelHeader* hdr = reinterpret_cast<ChannelHeader*>(region);
    RingProducer<Request> req[CALLERS];
    RingConsumer<Response> rsp[CALLERS];
    uint32_t seq[CALLERS] = {};
    Server server;
    Dispatcher* d = nullptr;
    std::thread loop;
    std::atomic<bool> stop{false};

    explicit Rig(bool threaded, void (*doorbell)() = nullptr) {
        std::memset(region, 0, CHANNEL_BYTES);
        for (uint32_t c = 0; c < CALLERS; ++c) {
            req[c] = RingProducer<Request>(region + request_ring_offset(c));
            rsp[c] = RingConsumer<Response>(region + response_ring_offset(c));
        }
        d = new Dispatcher(region, server, doorbell);
        if (threaded)
            loop = std::thread([this] {
                while (!stop)
                    if (d->turn() == 0) usleep(100);
            });
    }
    ~Rig() {
        stop = true;
        if (loop.joinable()) loop.join();
        delete d;
        std::free(region);
    }
    /// Push a request of caller slot @p c; returns its seq.
    uint32_t push(uint32_t c, uint16_t op, int64_t a0 = 0, int64_t a1 = 0) {
        Request r{};
        r.seq = ++seq[c];
        r.op = op;
        r.buffer = c * BUFFERS_PER_CALLER + r.seq % BUFFERS_PER_CALLER;
        r.args[0] = a0;
        r.args[1] = a1;
        REQUIRE(req[c].push(r) == RingStatus::ok);
        return r.seq;
    }
    /// Wait up to @p ms for caller slot @p c's next response.
    bool wait(uint32_t c, Response& out, int ms) {
        auto end = Clock::now() + std::chrono::milliseconds(ms);
        while (Clock::now() < end) {
            if (rsp[c].pop(out) == RingStatus::ok) return true;
            usleep(200);
        }
        return false;
    }
    int64_t call(uint32_t c, uint16_t op, int64_t a0 = 0, int64_t a1 = 0) {
        uint32_t s = push(c, op, a0, a1);
        Response r{};
        REQUIRE(wait(c, r, 5000));
        REQUIRE(r.seq == s);
        return r.result;
    }
};

} // namespace

TEST_CASE("a blocked ACCEPT delays no other caller, and its own caller's next call waits") {
    Rig t(true);
    int64_t srv = t.call(0, OP_SOCKET, 1);
    REQUIRE(srv >= 0);
    int64_t port = 20000 + (getpid() % 20000) + 7;
    REQUIRE(t.call(0, OP_BIND, srv, port) == 0);
    REQUIRE(t.call(0, OP_LISTEN, srv, 4) == 0);
    uint32_t acc = t.push(0, OP_ACCEPT, srv); // nobody connects yet: blocks in slot 0's worker
    uint32_t after = t.push(0, OP_NOP);       // behind it, in slot 0's ring
    usleep(50000);
    // Other callers go on at once.
    for (uint32_t c = 1; c < CALLERS; ++c) {
        auto t0 = Clock::now();
        CHECK(t.call(c, OP_NOP) == 0);
        CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
    }
    Response r{};
    CHECK_FALSE(t.wait(0, r, 100)); // slot 0: neither the ACCEPT nor the NOP behind it
    int64_t cli = t.call(3, OP_SOCKET, 1);
    REQUIRE(cli >= 0);
    CHECK(t.call(3, OP_CONNECT, cli, port) == 0);
    REQUIRE(t.wait(0, r, 5000)); // now the ACCEPT returns, then the NOP: in order
    CHECK(r.seq == acc);
    CHECK(r.result >= 0);
    REQUIRE(t.wait(0, r, 5000));
    CHECK(r.seq == after);
    CHECK(t.d->handed_off() >= 1);
    // The worker said it finished (the loop waits on this fd too, to take slot 0's next call).
    pollfd p{t.d->finished_fd(), POLLIN, 0};
    CHECK(poll(&p, 1, 1000) == 1);
}

TEST_CASE("one request per caller slot per turn: a flood does not starve the others") {
    Rig t(false);
    for (int i = 0; i < 40; ++i)
        t.push(0, OP_NOP);
    t.push(5, OP_NOP);
    CHECK(t.d->turn() == 2);
    Response r{};
    CHECK(t.rsp[5].pop(r) == RingStatus::ok);
    CHECK(t.rsp[0].pop(r) == RingStatus::ok);
    CHECK(r.seq == 1);
    CHECK(t.rsp[0].pop(r) == RingStatus::empty); // one of the 40, not more
}

TEST_CASE("a request naming another slot's buffer is refused, and a corrupt slot stops alone") {
    Rig t(false);
    Request forged{};
    forged.seq = 1;
    forged.op = OP_NOP;
    forged.buffer = 6 * BUFFERS_PER_CALLER; // slot 6's
    REQUIRE(t.req[1].push(forged) == RingStatus::ok);
    t.d->turn();
    Response r{};
    REQUIRE(t.rsp[1].pop(r) == RingStatus::ok);
    CHECK(r.result == -CE_PROTO);
    // Slot 4's request ring: a head 1000 ahead of its tail.
    auto* ctl = reinterpret_cast<RingControl*>(t.region + request_ring_offset(4));
    ctl->head = ctl->tail + 1000;
    t.push(7, OP_NOP);
    t.d->turn();
    CHECK(t.d->dead(4));
    CHECK_FALSE(t.d->dead(7));
    CHECK_FALSE(t.d->all_dead());
    CHECK(t.rsp[7].pop(r) == RingStatus::ok);
}

namespace {
std::atomic<int> g_rings{0};
void ring() {
    ++g_rings;
}
} // namespace

TEST_CASE("every response rings the doorbell once, and is counted in the header") {
    g_rings = 0;
    Rig t(false, ring);
    t.push(0, OP_NOP);
    t.push(2, OP_NOP);
    t.push(7, OP_NOP);
    CHECK(t.d->turn() == 3);
    CHECK(t.d->served() == 3);
    CHECK(g_rings == 3);
    CHECK(t.hdr->doorbells == 3);
    CHECK(t.d->turn() == 0); // nothing left: nothing rung
    CHECK(g_rings == 3);
    Response r{};
    for (uint32_t c : {0u, 2u, 7u}) {
        REQUIRE(t.rsp[c].pop(r) == RingStatus::ok);
        CHECK(r.seq == 1);
        CHECK(r.op == OP_NOP);
        CHECK(r.buffer == c * BUFFERS_PER_CALLER + 1);
    }
}

TEST_CASE("the dispatcher stops though a worker is still blocked in Linux") {
    // In a child process (this one has no other thread yet): the worker stays blocked in
    // accept() until the child's _exit, as in vlibosd, which exits right after; the parent
    // only waits for the child's verdict, so nothing is left blocked here.
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        Rig* t = new Rig(true);
        int64_t srv = t->call(2, OP_SOCKET, 1);
        int64_t port = 20000 + (getpid() % 20000) + 11;
        if (srv < 0 || t->call(2, OP_BIND, srv, port) != 0 || t->call(2, OP_LISTEN, srv, 4) != 0)
            _exit(2);
        t->push(2, OP_ACCEPT, srv); // nobody will connect
        usleep(50000);
        t->stop = true;
        t->loop.join();
        delete t->d; // must not wait for that worker
        _exit(0);
    }
    int status = 0;
    auto end = Clock::now() + std::chrono::seconds(3);
    pid_t done = 0;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && Clock::now() < end)
        usleep(1000);
    if (done == 0) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        FAIL("the destructor did not return within 3 s while a worker was blocked in accept()");
    }
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

namespace {
std::atomic<pthread_t> g_took_it{};
std::atomic<int> g_signals{0};
void note_thread(int) {
    g_took_it = pthread_self();
    ++g_signals;
}
} // namespace

namespace {
/// This process's threads, as Linux lists them.
int threads() {
    int n = 0;
    FILE* f = std::fopen("/proc/self/status", "r");
    char line[256];
    while (f && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "Threads: %d", &n) == 1) break;
    if (f) std::fclose(f);
    return n;
}
} // namespace

TEST_CASE("the workers leave SIGTERM and SIGINT to the main thread") {
    int before = threads();
    Rig t(false);
    REQUIRE(threads() == before + int(CALLERS)); // a worker per caller slot
    for (int sig : {SIGTERM, SIGINT}) {
        struct sigaction sa {
        }, old{};
        sa.sa_handler = note_thread;
        sigaction(sig, &sa, &old);
        g_signals = 0;
        // With this thread blocking it too, only a worker that does not block it can take it;
        // if none can, it waits for this thread.
        sigset_t block, prev;
        sigemptyset(&block);
        sigaddset(&block, sig);
        pthread_sigmask(SIG_BLOCK, &block, &prev);
        kill(getpid(), sig);
        usleep(100000);
        pthread_sigmask(SIG_SETMASK, &prev, nullptr); // delivered here, now, if still pending
        for (int i = 0; i < 100 && g_signals == 0; ++i)
            usleep(1000);
        CHECK(g_signals == 1);
        CHECK(pthread_equal(g_took_it.load(), pthread_self()));
        sigaction(sig, &old, nullptr);
    }
}

namespace {
// The order in which the dispatcher answered the slots: at each doorbell, the slot whose
// response ring just grew.
uint8_t* g_order_region = nullptr;
uint32_t g_seen_head[CALLERS];
std::vector<uint32_t> g_order;
void note_order() {
    for (uint32_t c = 0; c < CALLERS; ++c) {
        auto* ctl = reinterpret_cast<RingControl*>(g_order_region + response_ring_offset(c));
        if (ctl->head != g_seen_head[c]) {
            g_seen_head[c] = ctl->head;
            g_order.push_back(c);
        }
    }
}
} // namespace

TEST_CASE("each turn starts one slot after the previous turn's first") {
    Rig t(false, note_order);
    g_order_region = t.region;
    std::memset(g_seen_head, 0, sizeof g_seen_head);
    g_order.clear();
    for (int round = 0; round < 3; ++round)
        for (uint32_t c = 0; c < CALLERS; ++c)
            t.push(c, OP_NOP);
    for (int turn = 0; turn < 3; ++turn)
        CHECK(t.d->turn() == int(CALLERS));
    REQUIRE(g_order.size() == 3 * CALLERS);
    for (uint32_t turn = 0; turn < 3; ++turn)
        for (uint32_t i = 0; i < CALLERS; ++i) {
            INFO("turn " << turn << ", answer " << i);
            CHECK(g_order[turn * CALLERS + i] == (turn + i) % CALLERS);
        }
}
