// Which slave serves which service: the master's routing table for delegated calls.
//
// With more than one slave (slaves=2), each service goes to the slave its table names, written
// `files:0,sockets:1,run:1`: the file calls to slave 0, the socket calls and RUN to slave 1. A
// service the table does not name goes to slave 0; a service named for a slave that does not run is
// offered by none, and its calls fail with -ENOSYS (and a message saying so).
//
// A descriptor belongs to the slave that opened it: slave s's descriptor d is s * FD_STRIDE + d
// to the master's applications, and a call on it (read, write, close, bind, accept, ...) goes
// to slave s whatever the table says, so a socket opened on the sockets slave is written there
// too. Slave 0's descriptors are Linux's own numbers. Pure: host-tested without the kernel.
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

/// Descriptors of slave s are s * FD_STRIDE + Linux's number (Linux's are far below it).
inline constexpr int64_t FD_STRIDE = 1 << 16;

/// Whether @p op's first argument is a descriptor.
bool takes_fd(vlibos::Op op);
/// Whether @p op's result, when not an error, is a descriptor.
bool returns_fd(vlibos::Op op);

/// Where one call goes.
struct CallRoute {
    int slave;     ///< the slave to ask; -1: none (`error` says why)
    int64_t fd;    ///< for takes_fd(): Linux's number of the descriptor
    int64_t error; ///< -ENOSYS (no slave offers the service), -EBADF (no such descriptor)
};

/// Route a call of @p op whose first argument is @p arg0: by its descriptor if it takes one,
/// else by the table.
CallRoute route_call(const Routes& r, vlibos::Op op, int64_t arg0, unsigned slaves);

/// The master's view of @p result of @p op answered by @p slave: a descriptor numbered for the
/// master (-EMFILE if Linux's number is too large to be one, which a working Linux never gives).
int64_t result_for_master(vlibos::Op op, unsigned slave, int64_t result);

} // namespace libos
