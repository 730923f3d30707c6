// Which slave serves which service: the master's routing table for delegated calls.
//
// With more than one slave (slaves=2), each service goes to the slave its table names, written
// `files:0,sockets:1,run:1`: the file calls to slave 0, the socket calls and RUN to slave 1. A
// service the table does not name goes to slave 0; a service named for a slave that does not run is
// offered by none, and its calls fail with -ENOSYS (and a message saying so). Pure: parsed and
// host-tested without the kernel.
#pragma once

#include "libos/channel/protocol.h"

#include <stddef.h>
#include <stdint.h>

namespace libos {

/// The services a slave offers, each a group of channel operations.
enum class Service : uint8_t {
    files,   ///< OPEN .. READDIR: Linux's file systems
    run,     ///< RUN: Linux's programs
    sockets, ///< SOCKET .. ACCEPT: Linux's network stack
    nop,     ///< NOP: the null call (measurements)
    count,   ///< one past the last
};

/// The service an operation belongs to (nop for an unknown one).
Service service_of(vlibos::Op op);
/// Its name on the command line and in messages ("files", "run", "sockets", "nop").
const char* service_name(Service s);

/// The routing table: a slave number per service.
struct Routes {
    uint8_t slave[size_t(Service::count)] = {}; ///< everything to slave 0 by default
};

/// Parse @p text ("files:0,sockets:1,run:1"; null or empty: every service to slave 0) for a
/// machine with @p slaves slaves running. Returns false, with @p error set to what is wrong
/// (an unknown service, a malformed item), for text that cannot be meant; the routes then
/// are the defaults. A slave number at or above @p slaves is kept: its service is offered by
/// no slave (routed_slave() says so).
bool parse_routes(const char* text, Routes& out, const char** error);

/// The slave serving @p op under @p r, or -1 if it is routed to a slave that does not run.
int routed_slave(const Routes& r, vlibos::Op op, unsigned slaves);

} // namespace libos
