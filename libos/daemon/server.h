// vlibosd's request handling: one request in, one response out, Linux doing the work. Hosted
// C++ (POSIX); the daemon's main loop (vlibosd.cc) feeds it from the channel, and the host
// tests feed it directly, against a temporary directory.
//
// Sockets are IPv4 TCP or UDP on the slave's loopback (127.0.0.1) only. An ACCEPT, or a READ
// on a socket with nothing to read, blocks the daemon, and with it every other call, until
// data comes or the master's call times out: the master's applications use them in order.
//
// The master names files by path and open files by the small numbers this server hands out:
// its own fd table, so the master can reach only files it opened through the channel, never
// the daemon's own (its /dev/mem mapping, its console).
#pragma once

#include "libos/channel/protocol.h"

#include <cstddef>
#include <cstdint>

namespace vlibos {

/// Serves requests.
class Server {
  public:
    /// Open files the master may hold at once.
    static constexpr int MAX_FILES = 64;
    /// Longest a RUN command may take before it is killed, in seconds.
    static constexpr int RUN_TIMEOUT_S = 10;

    Server();
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Serve @p req. @p shared is its bulk buffer in the channel (BUFFER_BYTES): the payload is
    /// copied out of it before anything is checked, and result data is written into it.
    /// Returns the response to push. Never fails: a bad request gets an error result.
    Response serve(const Request& req, uint8_t* shared);

    /// Requests answered with an error because they were malformed (check_request failed).
    uint64_t malformed() const { return m_malformed; }

  private:
    int64_t run(const char* command, uint8_t* out, uint32_t& len);
    int linux_fd(int64_t fd) const;
    int free_slot() const;

    int m_fds[MAX_FILES];
    uint64_t m_malformed = 0;
};

} // namespace vlibos
