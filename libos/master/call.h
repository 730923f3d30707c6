// One delegated call on a caller slot: the master's side of the protocol (lab 8, step 2),
// without the kernel. Time, waiting and the slave's state come from a CallEnv, so host tests
// drive it against a scripted daemon, and Channel (delegate.h) gives it the kernel's:
//
//   call_on_slot(slot, call, timeout, env) -> number the request (seq), fill it and its bulk
//   buffer, push it (waiting while the request ring is full), then pop responses until the one
//   that answers it: an earlier call's late answer is dropped, the answer is checked
//   (check_response) before anything of it is used, its data copied out -> the result or -errno
//
// Everything in the rings and buffers is written by the slave, which may lie: it can make a
// call fail, never make the master read or write outside the channel and the caller's
// output buffer, nor wait past the call's deadline.
#pragma once

#include "libos/channel/protocol.h"
#include "libos/channel/ring.h"

#include <stdint.h>

namespace libos {

/// A caller slot's state on the master's side: the private indices and sequence numbers. The
/// slave cannot write these; they are never read back from the channel.
struct CallerSlot {
    uint32_t index = 0;   ///< its number c: its rings, and bulk buffers from c * BUFFERS_PER_CALLER
    bool corrupt = false; ///< a ring of it was impossible: it is never used again
    uint32_t seq = 0;     ///< the sequence number of its last request (0: none yet)
    uint32_t unanswered = 0; ///< the seq of a timed-out call still in Linux, 0 if none
    vlibos::RingProducer<vlibos::Request> requests;   ///< its request ring (master -> slave)
    vlibos::RingConsumer<vlibos::Response> responses; ///< its response ring (slave -> master)
};

/// What a call needs from its surroundings (Channel gives the kernel's; tests give a fake).
class CallEnv {
  public:
    /// The time now, in TSC cycles.
    virtual uint64_t now() = 0;
    /// Whether the slave still runs (a stopped one will never answer).
    virtual bool slave_up() = 0;
    /// Bulk buffer @p i of the channel (< BUFFERS), BUFFER_BYTES long.
    virtual uint8_t* buffer(uint32_t i) = 0;
    /// A request was pushed: wake the daemon if it sleeps.
    virtual void pushed() = 0;
    /// Let time pass until the slave may have done something, at most until @p deadline:
    /// sleep, poll or run the slave, depending on the channel's mode. False if the slave can
    /// never answer (it stopped while the caller ran it).
    virtual bool wait(uint64_t deadline) = 0;

  protected:
    ~CallEnv() = default;
};

/// A call's request, and where its result data goes.
struct CallArgs {
    vlibos::Op op;               ///< the operation
    const int64_t* args;         ///< its 6 arguments (nullptr: all 0)
    const void* payload;         ///< bytes for the bulk buffer (a path, data to write)
    uint32_t payload_len;        ///< their count, at most BUFFER_BYTES
    void* out;                   ///< where result data go (nullptr: nowhere)
    uint32_t out_cap;            ///< at most this many bytes of it
    uint32_t* out_len = nullptr; ///< the count copied to @p out (if not null)
};

/// How a call ended, for the channel's counters and the caller's budget.
enum class CallEnd : uint8_t {
    answered,      ///< a valid response: its result was returned
    timed_out,     ///< no response by the deadline: -CE_TIMEDOUT
    not_connected, ///< the slave stopped: -CE_NOTCONN
    rejected,      ///< an impossible ring or response: -CE_PROTO (or check_response's error)
};

/// What happened on the way.
struct CallReport {
    CallEnd end = CallEnd::not_connected; ///< how it ended
    uint32_t stale = 0;                   ///< late answers to earlier calls dropped on the way
    uint64_t service_ns = 0;              ///< answered: the slave's figure for its CPU time
};

/// How a caller waits for its response.
enum class WaitMode : uint8_t {
    spin, ///< look at the response ring again and again (the fastest, all on the caller's budget)
    poll, ///< sleep between looks at the response ring: 50 us, doubling up to 800 us
    doorbell, ///< sleep until the slave rings (VMCALL -> hypervisor -> thread_wake), or POLL_US *
              ///< 20
    babysat,  ///< run the slave yourself, on its CPU, inside your own budget, until it rings
};

/// One wait of a caller between two looks at its response ring, in dedicated mode.
struct WaitPlan {
    bool sleep = false;          ///< false: spin (one PAUSE, then look again at once)
    bool until_doorbell = false; ///< sleep until the slave's doorbell, at most until `until`
    uint64_t until = 0;          ///< when the caller looks again at the latest (TSC)
    uint64_t next_interval = 0;  ///< the poll interval for the next wait
};

/// Lab 8, step 2 (libos/master/call.cc).
/// @{

/// How a caller of @p mode waits at @p now: `spin` does not sleep; `poll` sleeps @p interval
/// cycles, and the next interval is twice that, at most @p max_interval (each look costs the
/// caller a wake-up charged to its budget, so a slow answer must not cost hundreds of them);
/// `doorbell` sleeps until the slave rings, or @p doorbell_fallback cycles at most (a lost
/// doorbell costs that, never a hang). No sleep lasts past @p deadline. (`babysat` does not
/// come here: its callers run the slave.)
WaitPlan plan_wait(WaitMode mode, uint64_t now, uint64_t deadline, uint64_t interval,
                   uint64_t max_interval, uint64_t doorbell_fallback);

/// One call on @p slot (free, owned by the caller, no unanswered call: see drain_slot). A slot
/// marked corrupt, or a payload longer than BUFFER_BYTES, is refused before anything is written
/// (-CE_PROTO, -CE_INVAL; `rejected`). The request: the next sequence number of the slot, never 0;
/// the slot's bulk buffer number seq % BUFFERS_PER_CALLER (so that a late answer to one of the
/// previous calls never names the buffer in use); @p call's op, arguments and payload (copied into
/// that buffer). It is pushed, waiting (CallEnv::wait) while the ring is full, then responses are
/// popped, waiting while there are none, until the one whose seq is the request's: others are
/// late answers to this slot's timed-out calls, dropped and counted in @p report. That one is
/// checked with check_response(); its data (at most @p call.out_cap bytes) are copied out.
/// The call fails, with @p report.end saying how, once @p timeout cycles have passed since
/// it began (-CE_TIMEDOUT: the slot remembers the call as unanswered), when the slave stops
/// (-CE_NOTCONN, also if CallEnv::wait says so), or when a ring of the slot is corrupt
/// (-CE_PROTO: the slot is marked corrupt) or the response is refused (check_response's error).
/// Returns the response's result, or -errno.
int64_t call_on_slot(CallerSlot& slot, const CallArgs& call, uint64_t timeout, CallEnv& env,
                     CallReport& report);

/// Before a slot whose last call timed out takes a new call: pop and drop what came for it
/// since (counted in @p stale). Returns true if the slot can take a call (the unanswered
/// call's answer came; nothing of it is left in Linux to answer later), false if not yet, or
/// never (a corrupt ring: the slot is marked corrupt; a slot marked so already is not looked
/// at again).
bool drain_slot(CallerSlot& slot, uint32_t& stale);

/// Dedicated mode: the TSC cycles to charge a caller for a call that Linux says took
/// @p service_ns nanoseconds of CPU time (vlibosd's figure) and that the caller waited
/// @p waited cycles for, on a TSC of @p tsc_hz: the service time in cycles, rounded down, but
/// never more than the wait (vlibosd may lie; too little only makes the caller pay less for a
/// CPU that is the slave's anyway). A figure of 100 s or more counts as the wait: below it the
/// arithmetic cannot overflow for any TSC below 184 GHz. A call that waits in Linux (a read of
/// a silent socket) costs what Linux ran for it, not the wait.
uint64_t call_charge(uint64_t service_ns, uint64_t waited, uint64_t tsc_hz);

/// @}

} // namespace libos
