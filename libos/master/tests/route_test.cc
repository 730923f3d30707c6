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
