// vlibosd's request handling: one request in, one response out, Linux doing the work. Hosted
// C++ (POSIX); the daemon's main loop (vlibosd.cc) feeds it from the channel, and the host
// tests feed it directly, against a temporary directory.
//
// Sockets are IPv4 TCP or UDP on the slave's loopback (127.0.0.1) only. An ACCEPT, or a READ
// on a socket with nothing to read, blocks the thread that serves it until data comes: the
// dispatcher (dispatcher.h) hands such calls (may_block()) to a worker thread of their caller
// slot, so they delay no other caller. serve() is thread-safe: the fd table is locked, the
// scratch buffers are per thread.
//
// The master names files by path and open files by the small numbers this server hands out:
// its own fd table, so the master can reach only files it opened through the channel, never
// the daemon's own (its /dev/mem mapping, its console).
#pragma once

#include "libos/channel/protocol.h"

#include <cstddef>
#include <cstdint>
#include <mutex>

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

    /// Serve @p req, which came on caller slot @p caller's ring. @p shared is its bulk buffer in
    /// the channel (BUFFER_BYTES): the payload is copied out of it before anything is checked,
    /// and result data is written into it. Returns the response to push, with the CPU time
    /// the call took in Response::service_ns. Never fails: a bad request gets an error result.
    /// Thread-safe.
    Response serve(const Request& req, uint32_t caller, uint8_t* shared);

    /// Whether serving @p req could block for long: a RUN, a CONNECT, an OPEN (a FIFO waits for
    /// its other end), a READ, WRITE or ACCEPT whose fd is not ready now (poll() with no wait).
    /// The dispatcher serves the others itself, at once.
    bool may_block(const Request& req) const;

    /// Requests answered with an error because they were malformed (check_request failed).
    uint64_t malformed() const { return __atomic_load_n(&m_malformed, __ATOMIC_RELAXED); }

  private:
    int64_t run(const char* command, uint8_t* out, uint32_t& len, uint64_t& cpu_ns);
    int linux_fd(int64_t fd) const;
    int free_slot() const;

    int take_slot(int fd);
    int release_slot(int64_t slot);

    mutable std::mutex m_lock; ///< guards m_fds: several threads serve at once
    int m_fds[MAX_FILES];
    uint64_t m_malformed = 0;
};

} // namespace vlibos
