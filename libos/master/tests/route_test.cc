// The master's routing of delegated calls to slaves (route.h).
#include "libos/master/route.h"

#include <catch2/catch.hpp>

using namespace libos;
using namespace vlibos;

TEST_CASE("routes: every service to slave 0 unless the command line says otherwise") {
    Routes r;
    const char* why = nullptr;
    REQUIRE(parse_routes(nullptr, r, &why));
    CHECK(routed_slave(r, OP_OPEN, 2) == 0);
    CHECK(routed_slave(r, OP_ACCEPT, 2) == 0);
    REQUIRE(parse_routes("files:0,sockets:1,run:1", r, &why));
    CHECK(routed_slave(r, OP_WRITE, 2) == 0);
    CHECK(routed_slave(r, OP_READDIR, 2) == 0);
    CHECK(routed_slave(r, OP_SOCKET, 2) == 1);
    CHECK(routed_slave(r, OP_ACCEPT, 2) == 1);
    CHECK(routed_slave(r, OP_RUN, 2) == 1);
    CHECK(routed_slave(r, OP_NOP, 2) == 0);
}

TEST_CASE("routes: a service routed to a slave that does not run is offered by none") {
    Routes r;
    const char* why = nullptr;
    REQUIRE(parse_routes("sockets:1", r, &why));
    CHECK(routed_slave(r, OP_CONNECT, 1) == -1);
    CHECK(routed_slave(r, OP_OPEN, 1) == 0);
}

TEST_CASE("routes: malformed text is refused with a reason, and the defaults stay") {
    Routes r;
    const char* why = nullptr;
    CHECK_FALSE(parse_routes("files=1", r, &why));
    CHECK(why != nullptr);
    CHECK_FALSE(parse_routes("printers:1", r, &why));
    CHECK_FALSE(parse_routes("files:x", r, &why));
    CHECK_FALSE(parse_routes("files:", r, &why));
    CHECK(routed_slave(r, OP_OPEN, 2) == 0);
}

TEST_CASE("routes: a descriptor's calls go to the slave that opened it, numbered for it") {
    Routes r;
    const char* error = nullptr;
    REQUIRE(parse_routes("sockets:1", r, &error));
    // A socket opened on slave 1: Linux's fd 3 is the master's FD_STRIDE + 3.
    CallRoute open = route_call(r, vlibos::OP_SOCKET, 1, 2);
    REQUIRE(open.slave == 1);
    int64_t fd = result_for_master(vlibos::OP_SOCKET, 1, 3);
    CHECK(fd == FD_STRIDE + 3);
    // Writing it is a "files" operation, yet it goes to slave 1, as Linux's fd 3.
    CallRoute w = route_call(r, vlibos::OP_WRITE, fd, 2);
    CHECK(w.slave == 1);
    CHECK(w.fd == 3);
    // A file opened on slave 0 keeps Linux's number and is written on slave 0.
    CHECK(route_call(r, vlibos::OP_OPEN, 0, 2).slave == 0);
    CHECK(result_for_master(vlibos::OP_OPEN, 0, 5) == 5);
    CallRoute w0 = route_call(r, vlibos::OP_WRITE, 5, 2);
    CHECK(w0.slave == 0);
    CHECK(w0.fd == 5);
    // An accepted connection belongs to the listening socket's slave.
    CallRoute acc = route_call(r, vlibos::OP_ACCEPT, FD_STRIDE + 4, 2);
    CHECK(acc.slave == 1);
    CHECK(result_for_master(vlibos::OP_ACCEPT, 1, 6) == FD_STRIDE + 6);
}

TEST_CASE("routes: a descriptor of no running slave, or a negative one, is -EBADF") {
    Routes r;
    CallRoute c = route_call(r, vlibos::OP_READ, FD_STRIDE + 1, 1); // slave 1 does not run
    CHECK(c.slave == -1);
    CHECK(c.error == -int64_t(vlibos::CE_BADF));
    CHECK(route_call(r, vlibos::OP_CLOSE, -1, 2).error == -int64_t(vlibos::CE_BADF));
    CHECK(route_call(r, vlibos::OP_CLOSE, 2 * FD_STRIDE, 2).slave == -1);
    CHECK(route_call(r, vlibos::OP_CLOSE, 2 * FD_STRIDE - 1, 2).slave == 1);
}

TEST_CASE("routes: errors pass through, and a descriptor Linux cannot give is refused") {
    CHECK(result_for_master(vlibos::OP_OPEN, 1, -2) == -2); // ENOENT stays ENOENT
    CHECK(result_for_master(vlibos::OP_READ, 1, 7) == 7);   // a count, not a descriptor
    CHECK(result_for_master(vlibos::OP_SOCKET, 1, FD_STRIDE) == -int64_t(vlibos::CE_MFILE));
    Routes r;
    const char* error = nullptr;
    REQUIRE(parse_routes("run:3", r, &error));
    CallRoute c = route_call(r, vlibos::OP_RUN, 0, 2); // routed to a slave that does not run
    CHECK(c.slave == -1);
    CHECK(c.error == -int64_t(vlibos::CE_NOSYS));
}
