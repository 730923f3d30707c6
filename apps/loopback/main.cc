// loopback: a master application talks TCP to itself through the Linux slave's network stack
// (the master has none): listen, connect, accept, then a message each way, all delegated.
//
// Arguments: port=N (default 7777), rounds=N messages each way (default 20), cpu=C: make the
// calls from a thread on CPU C (a VCPU of 40% of 20 ms; with libos=babysat only threads of the
// slave's CPU can run the slave), else from the main thread; start_ms=N: begin N ms after start.
// Prints `@@ test=delegation_sockets result=pass|fail`.
#include "vos.h"

namespace {
/// Read exactly n bytes (TCP may hand them over in pieces); the count read.
int64_t read_all(int64_t fd, char* buf, int64_t n) {
    int64_t got = 0;
    for (int tries = 0; got < n && tries < 10; ++tries) {
        int64_t r = vos::read(fd, buf + got, size_t(n - got));
        if (r <= 0) return got;
        got += r;
    }
    return got;
}

bool check(const char* what, int64_t r) {
    if (r < 0) vos::printf("loopback: %s failed: %ld\n", what, r);
    return r >= 0;
}
} // namespace

int exchange(const char* args) {
    if (uint64_t ms = vos::arg_u64(args, "start_ms", 0)) {
        vos::printf("loopback: starting in %lu ms\n", ms);
        vos::sleep_until(vos::now() + ms * vos::tsc_hz() / 1000);
    }
    int port = int(vos::arg_u64(args, "port", 7777));
    uint64_t rounds = vos::arg_u64(args, "rounds", 20);
    bool ok = true;
    int64_t srv = vos::socket(1);
    ok = check("socket", srv) && check("bind", vos::bind(srv, port)) &&
         check("listen", vos::listen(srv, 4));
    int64_t cli = ok ? vos::socket(1) : -1;
    ok = ok && check("socket", cli) && check("connect", vos::connect(cli, port));
    int64_t conn = ok ? vos::accept(srv) : -1; // the connection is already queued: no wait
    ok = ok && check("accept", conn);
    uint64_t good = 0;
    for (uint64_t i = 0; ok && i < rounds; ++i) {
        char msg[32], got[32];
        int n = 0;
        for (const char* p = "ping "; *p; ++p)
            msg[n++] = *p;
        msg[n++] = char('0' + i % 10);
        int64_t w = vos::write(cli, msg, size_t(n));
        int64_t r = read_all(conn, got, n);
        bool same = w == n && r == n;
        for (int k = 0; same && k < n; ++k)
            same = got[k] == msg[k];
        int64_t back = vos::write(conn, got, size_t(r > 0 ? r : 0));
        int64_t r2 = read_all(cli, got, r > 0 ? r : 0);
        good += same && back == r && r2 == r;
    }
    const int64_t fds[] = {conn, cli, srv};
    for (int64_t fd : fds)
        if (fd >= 0) vos::close(fd);
    vos::printf(
        "loopback: TCP on the slave's 127.0.0.1:%d: %lu of %lu round trips came back intact\n",
        port, good, rounds);
    bool pass = ok && good == rounds;
    vos::report_test("delegation_sockets", pass);
    return pass ? 0 : 1;
}

namespace {
constexpr uint64_t STACK = 16384;
alignas(16) uint8_t g_stack[STACK];
const char* g_args = nullptr;
volatile int g_status = -1; // the thread's result, -1 until it has one

void worker(void*) {
    g_status = exchange(g_args);
}
} // namespace

int app_main(const char* args) {
    if (!vos::arg_flag(args, "cpu")) return exchange(args);
    uint64_t period = vos::tsc_hz() / 50; // 20 ms
    int64_t vcpu =
        vos::vcpu_create(period * 4 / 10, period, unsigned(vos::arg_u64(args, "cpu", 0)));
    if (vcpu < 0) {
        vos::printf("loopback: VCPU refused: %ld\n", vcpu);
        return 2;
    }
    g_args = args;
    if (vos::thread_create(worker, nullptr, g_stack + STACK, uint64_t(vcpu)) < 0) return 2;
    while (g_status < 0)
        vos::sleep_until(vos::now() + period);
    return g_status;
}
