// vlibosd's dispatcher: serves the channel's caller slots (protocol.h) so that one caller's
// blocked call never delays another's.
//
//   a turn: for each caller slot, in round-robin order, at most one request:
//     its worker is busy (its previous call is still being served): skip it, leave the ring
//     pop its next request (copy, then look)
//       may_block() (a RUN, an ACCEPT with nobody connecting, a READ of a silent socket, ...):
//         hand it to the slot's worker thread, which serves it, pushes the response and rings
//       otherwise: serve it here, at once, push the response, ring
//
// One request per caller slot per turn, and none while its previous one is still being served:
// each caller's calls are served in order (FIFO), and a caller that floods requests gets one
// turn like any other (fairness). A slot's response ring has one producer at a time: the worker
// while it is busy, the dispatcher otherwise (the busy flag's release and acquire order them).
// Each slot's worker is a thread of its own, blocked on a condition variable when idle: the
// dispatcher alone looks at the rings, so an idle daemon costs the same as with one thread.
//
// Hosted C++ (POSIX threads). A slot whose request or response ring is corrupt (the master's
// index is impossible) is not served any more; the others go on.
//
// Lab 8, step 3: the functions below are yours (libos/daemon/dispatcher.cc); the members are
// the design they share (you may add to them).
#pragma once

#include "libos/channel/protocol.h"
#include "libos/channel/ring.h"
#include "libos/daemon/server.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace vlibos {

/// Serves every caller slot of a channel.
class Dispatcher {
  public:
    /// Serve the channel at @p region (CHANNEL_BYTES, header already checked) with @p server.
    /// @p doorbell, if not null, is called after each response is pushed (the VMCALL). Starts
    /// one worker thread per caller slot; if one cannot start (std::system_error, e.g. a task
    /// limit), those already started are stopped (stop_workers) before the error goes on.
    Dispatcher(uint8_t* region, Server& server, void (*doorbell)());
    /// Stops the workers (stop_workers) and closes the eventfd.
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    /// One turn over the caller slots (see the file comment). Returns the requests taken.
    int turn();

    /// A file descriptor that becomes readable when a worker finishes a call (an eventfd):
    /// an idle dispatcher waits on it too, so that a caller's next request, which it left in the
    /// ring while the worker was busy, is taken at once. read() it to clear it.
    int finished_fd() const { return m_finished; }

    /// Whether caller slot @p caller is no longer served (one of its rings is corrupt).
    bool dead(uint32_t caller) const { return m_slots[caller].dead.load(); }
    /// Whether no caller slot can be served any more.
    bool all_dead() const;
    /// Requests answered so far.
    uint64_t served() const { return m_served.load(); }
    /// Requests handed to workers so far (they could block).
    uint64_t handed_off() const { return m_handed.load(); }

  private:
    struct Slot {
        RingConsumer<Request> requests;
        RingProducer<Response> responses;
        std::thread worker;
        std::mutex lock; ///< guards pending, has_pending
        std::condition_variable cv;
        Request pending{};
        bool has_pending = false;
        std::atomic<bool> busy{false}; ///< the worker owns the slot's response ring
        std::atomic<bool> dead{false};
    };

    uint8_t* buffer_of(const Request& req);
    void respond(uint32_t caller, const Response& rsp);
    void work(uint32_t caller);
    /// Wake every worker to stop; join the idle ones; detach one still blocked in Linux (an
    /// ACCEPT nobody answers), which must not outlive the process (vlibosd exits right after).
    /// Slots without a worker are skipped.
    void stop_workers();

    uint8_t* m_region;
    ChannelHeader* m_header;
    Server& m_server;
    void (*m_doorbell)();
    Slot m_slots[CALLERS];
    uint32_t m_next = 0; ///< the slot the next turn starts with
    int m_finished = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<uint64_t> m_served{0}, m_handed{0};
};

} // namespace vlibos
