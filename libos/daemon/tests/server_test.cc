// vlibosd's request handling against a real file system (a temporary directory): every
// operation, the errors Linux gives, and requests that must not reach Linux at all.
#include "libos/daemon/server.h"

#include "libos/channel/validate.h"

#include <catch2/catch.hpp>
#include <chrono>

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace vlibos;

namespace {
struct Rig {
    Server server;
    std::vector<uint8_t> shared = std::vector<uint8_t>(BUFFER_BYTES, 0);
    std::string dir;
    uint32_t seq = 0;
    Rig() {
        char tmpl[] = "/tmp/vlibosd-test-XXXXXX";
        dir = mkdtemp(tmpl);
    }
    ~Rig() { std::system(("rm -rf " + dir).c_str()); }
    Request make(uint16_t op, const std::string& payload = "", bool with_nul = true) {
        Request r{};
        r.seq = ++seq;
        r.op = op;
        r.buffer = seq % BUFFERS_PER_CALLER; // caller slot 0's
        std::memcpy(shared.data(), payload.data(), payload.size());
        r.len = uint32_t(payload.size());
        if (with_nul && !payload.empty()) {
            shared[payload.size()] = 0;
            r.len += 1;
        }
        return r;
    }
    Response call(const Request& r) {
        Response rsp = server.serve(r, 0, shared.data());
        REQUIRE(rsp.seq == r.seq); // (the master's full check is lab 8's check_response)
        REQUIRE(rsp.buffer == r.buffer);
        REQUIRE((rsp.result >= 0 || rsp.len == 0));
        return rsp;
    }
    std::string path(const char* name) { return dir + "/" + name; }
};
} // namespace

TEST_CASE("open, write, lseek, read, close a file") {
    Rig t;
    Request o = t.make(OP_OPEN, t.path("log.txt"));
    o.args[0] = O_RDWR | O_CREAT | O_TRUNC;
    o.args[1] = 0644;
    Response ro = t.call(o);
    REQUIRE(ro.result >= 0);
    int64_t fd = ro.result;

    Request w = t.make(OP_WRITE, "hello, slave", false);
    w.args[0] = fd;
    w.args[1] = w.len;
    CHECK(t.call(w).result == 12);

    Request s = t.make(OP_LSEEK);
    s.args[0] = fd;
    s.args[1] = 7;
    s.args[2] = SEEK_SET;
    CHECK(t.call(s).result == 7);

    Request rd = t.make(OP_READ);
    rd.args[0] = fd;
    rd.args[1] = 100;
    Response rr = t.call(rd);
    CHECK(rr.result == 5);
    CHECK(std::string(reinterpret_cast<char*>(t.shared.data()), rr.len) == "slave");

    Request c = t.make(OP_CLOSE);
    c.args[0] = fd;
    CHECK(t.call(c).result == 0);
    CHECK(t.call(c).result == -EBADF); // closed twice
}

TEST_CASE("stat, mkdir, readdir, unlink") {
    Rig t;
    Request m = t.make(OP_MKDIR, t.path("d"));
    m.args[0] = 0755;
    CHECK(t.call(m).result == 0);
    CHECK(t.call(m).result == -EEXIST);
    Request o = t.make(OP_OPEN, t.path("d/a"));
    o.args[0] = O_WRONLY | O_CREAT;
    o.args[1] = 0600;
    REQUIRE(t.call(o).result >= 0);
    Request st = t.make(OP_STAT, t.path("d/a"));
    Response rs = t.call(st);
    REQUIRE(rs.result == 0);
    StatResult sr;
    std::memcpy(&sr, t.shared.data(), sizeof sr);
    CHECK(sr.size == 0);
    CHECK(S_ISREG(sr.mode));
    Request rd = t.make(OP_READDIR, t.path("d"));
    Response rr = t.call(rd);
    CHECK(rr.result == 3); // ".", "..", "a" in some order
    std::string names(reinterpret_cast<char*>(t.shared.data()), rr.len);
    CHECK(names.find(std::string("a\0", 2)) != std::string::npos);
    Request u = t.make(OP_UNLINK, t.path("d/a"));
    CHECK(t.call(u).result == 0);
    CHECK(t.call(t.make(OP_STAT, t.path("d/a"))).result == -ENOENT);
}

TEST_CASE("run a command: exit status and output") {
    Rig t;
    Response r = t.call(t.make(OP_RUN, "echo out; echo err >&2; exit 3"));
    CHECK(r.result == 3);
    CHECK(std::string(reinterpret_cast<char*>(t.shared.data()), r.len) == "out\nerr\n");
    Response big = t.call(t.make(OP_RUN, "head -c 100000 /dev/zero"));
    CHECK(big.result == 0);
    CHECK(big.len == BUFFER_BYTES); // truncated, and the child was not blocked by a full pipe
}

TEST_CASE("a call's CPU time in Linux: work counts, waiting does not") {
    Rig t;
    auto wall_ns = [](auto f) {
        auto a = std::chrono::steady_clock::now();
        f();
        return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - a)
                            .count());
    };
    Response busy{};
    uint64_t busy_wall = wall_ns([&] {
        busy = t.call(t.make(OP_RUN, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"));
    });
    CHECK(busy.result == 0);
    // The shell's loop is CPU time of the RUN's process: most of the wall time.
    CHECK(busy.service_ns >= busy_wall / 4);
    CHECK(busy.service_ns <= busy_wall + 10000000);
    Response idle{};
    uint64_t idle_wall = wall_ns([&] { idle = t.call(t.make(OP_RUN, "sleep 0.3")); });
    CHECK(idle.result == 0);
    CHECK(idle_wall >= 300000000);
    CHECK(idle.service_ns < 100000000);            // asleep in Linux: not service
    CHECK(t.call(t.make(OP_NOP)).service_ns == 0); // not timed: nothing done in Linux
}

TEST_CASE("the master reaches only files it opened here") {
    Rig t;
    for (int64_t fd : {0, 1, 2, 3, 63, 64, 1000}) {
        Request rd = t.make(OP_READ);
        rd.args[0] = fd;
        rd.args[1] = 10;
        INFO("fd " << fd);
        CHECK(t.call(rd).result == -EBADF); // the daemon's stdin/stdout or fds it never handed out
    }
}

TEST_CASE("malformed requests are answered with an error and never reach Linux") {
    Rig t;
    Request unterminated = t.make(OP_UNLINK, t.path("x"), false);
    CHECK(t.call(unterminated).result == -CE_INVAL);
    Request forged = t.make(OP_NOP);
    forged.buffer = 9999;
    Response f = t.server.serve(forged, 0, t.shared.data());
    CHECK(f.result == -CE_PROTO);
    Request longname = t.make(OP_STAT, std::string(5000, 'a'));
    CHECK(t.call(longname).result == -CE_NAMETOOLONG);
    Request huge = t.make(OP_WRITE);
    huge.len = 0xFFFFFFFF;
    CHECK(t.server.serve(huge, 0, t.shared.data()).result == -CE_PROTO);
    Request op = t.make(77);
    CHECK(t.server.serve(op, 0, t.shared.data()).result == -CE_NOSYS);
    CHECK(t.server.malformed() == 5);
}

TEST_CASE("running out of file slots gives EMFILE") {
    Rig t;
    for (int i = 0; i < Server::MAX_FILES; ++i) {
        Request o = t.make(OP_OPEN, "/dev/null");
        REQUIRE(t.call(o).result == i);
    }
    CHECK(t.call(t.make(OP_OPEN, "/dev/null")).result == -EMFILE);
}

TEST_CASE("sockets on the loopback: listen, connect, accept, write, read") {
    Rig t;
    auto call = [&](uint16_t op, int64_t a0 = 0, int64_t a1 = 0) {
        Request r = t.make(op);
        r.args[0] = a0;
        r.args[1] = a1;
        return t.call(r).result;
    };
    int64_t srv = call(OP_SOCKET, 1);
    REQUIRE(srv >= 0);
    int64_t port = 20000 + (getpid() % 20000);
    REQUIRE(call(OP_BIND, srv, port) == 0);
    REQUIRE(call(OP_LISTEN, srv, 4) == 0);
    int64_t cli = call(OP_SOCKET, 1);
    REQUIRE(call(OP_CONNECT, cli, port) == 0);
    int64_t conn = call(OP_ACCEPT, srv);
    REQUIRE(conn >= 0);
    Request w = t.make(OP_WRITE, "ping over loopback", false);
    w.args[0] = cli;
    w.args[1] = w.len;
    CHECK(t.call(w).result == 18);
    Request rd = t.make(OP_READ);
    rd.args[0] = conn;
    rd.args[1] = 100;
    Response rr = t.call(rd);
    CHECK(std::string(reinterpret_cast<char*>(t.shared.data()), rr.len) == "ping over loopback");
    CHECK(call(OP_SOCKET, 3) == -CE_ACCES); // raw sockets: no
    CHECK(call(OP_CONNECT, cli, 70000) == -CE_INVAL);
    CHECK(call(OP_LISTEN, srv, 1000) == -CE_INVAL);
}
