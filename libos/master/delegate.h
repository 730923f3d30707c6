// The master's side of the channel: delegated calls from any master threads, several in flight
// at once, to vlibosd in the Linux slave (libos/channel/protocol.h for the messages).
//
//   Channel::call(op, args, payload) -> take a free caller slot c (its own rings, buffers and
//   sequence numbers: callers share no lock), make the call on it (call_on_slot, call.h: the
//   request, its answer, waiting meanwhile as the channel's mode says: poll c's response ring,
//   sleep until the slave's doorbell, or run the slave), count it, charge it, free c
//   -> the result or -errno
//
// A call blocks only its caller: waiting is sleeping, so other threads of its CPU run, and
// another caller's call is served while this one waits (vlibosd serves a call that may block in
// a worker thread of its caller slot). Dedicated mode (the slave on its own CPU) charges the
// caller's VCPU for the CPU time Linux spent on its call (vlibosd's figure, at most the wait;
// libos_charge=0 turns it off): at budget exhaustion the caller blocks until the replenishments
// have paid, so it sends Linux nothing meanwhile; a call already sent runs to completion and is
// charged then. Babysat mode charges by running the slave in the caller's own time. Nothing the
// slave writes can make the master read or write outside the channel, or wait forever: every call
// has a deadline
// (-ETIMEDOUT), a slave that stops makes pending and later calls fail (-ENOTCONN), and an
// impossible ring index or response fails that call (-EPROTO, counted); a caller slot whose
// ring is corrupt is not used again.
//
// One Channel object per channel, one channel per slave (libos.cc shares each with its slave);
// delegate() sends a call to the channel of the slave that serves it (route.h), the other free
// functions (on_doorbell(), daemon_up(), ...) use slave 0's, the default one.
#pragma once

#include "core/atomic.h"
#include "libos/channel/protocol.h"
#include "libos/channel/ring.h"
#include "libos/master/call.h"
#include "libos/master/route.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {
struct IoVcpu;
struct Thread;
} // namespace kern

namespace libos {

/// Counters for the report and the benchmarks (cycles are TSC cycles of the caller's CPU).
struct DelegateStats {
    uint64_t calls = 0;         ///< calls that got a valid response
    uint64_t timeouts = 0;      ///< calls that ended with -ETIMEDOUT
    uint64_t not_connected = 0; ///< calls refused because no daemon serves (or the slave died)
    uint64_t rejected = 0;      ///< responses check_response() refused
    uint64_t stale = 0;         ///< responses to an earlier (timed-out) call, dropped
    uint64_t doorbells = 0;     ///< doorbells received
    uint64_t wakeups =
        0; ///< requests that found the daemon asleep and woke it (hv::linux_slave_wake)
    uint64_t babysits = 0;       ///< babysat: runs of the slave by callers
    uint64_t babysit_idle = 0;   ///< of those, ended because the slave idled (the caller slept)
    uint64_t babysit_budget = 0; ///< of those, ended because the caller's budget ran out
    uint64_t babysit_idle_cycles = 0; ///< cycles callers slept waiting for an idle slave's timer
    uint64_t charged_cycles = 0;      ///< dedicated mode: Linux's time charged to callers
    uint64_t concurrent_max = 0;      ///< most calls in flight at once
    uint64_t min_cycles = ~0ull, max_cycles = 0, total_cycles = 0; ///< round trips of valid calls
};

/// The master's client of one channel (see the file comment).
class Channel {
  public:
    /// Set up the channel in @p region (CHANNEL_BYTES, zeroed by the caller) for slave number
    /// @p slave: the header, with the magic written last.
    void attach(uint8_t* region, WaitMode mode, unsigned slave);

    /// One delegated call (see the file comment). @p payload of @p payload_len bytes goes to a
    /// buffer; up to @p out_cap bytes of result data are copied to @p out and their count to
    /// @p out_len (if not null). Returns the result, or -errno. From any thread, concurrently.
    int64_t call(vlibos::Op op, const int64_t args[6], const void* payload, uint32_t payload_len,
                 void* out, uint32_t out_cap, uint32_t* out_len);

    /// The doorbell: called on the slave's CPU, interrupts off. Its bottom half (waking the
    /// callers whose response is there) runs on set_doorbell_io_vcpu()'s I/O VCPU if any.
    void on_doorbell();
    /// Whether dedicated mode (poll, doorbell, spin) charges Linux's time on a call to the
    /// caller's VCPU (on unless libos_charge=0 on the kernel command line).
    void set_charging(bool on) { m_charging = on; }
    /// Run the doorbell's bottom halves on @p io; nullptr: in the top half.
    void set_doorbell_io_vcpu(kern::IoVcpu* io) { m_io = io; }

    /// Counters so far.
    DelegateStats stats() const;
    /// Whether vlibosd has announced itself in the channel header.
    bool daemon_up() const;
    /// Whether vlibosd says it blocks until woken (and has not been woken since).
    bool daemon_asleep() const;
    /// Hold back every delegated call (they wait for a caller slot, however long) until
    /// resume().
    void pause();
    /// Let calls go again.
    void resume();
    /// The slave it talks to.
    unsigned slave() const { return m_slave; }
    /// How its callers wait.
    WaitMode mode() const { return m_mode; }

  private:
    /// A caller slot's master-side state: private indices and sequence numbers, never read
    /// back from the channel.
    struct Caller {
        kern::Atomic<uint32_t> taken{0}; ///< a thread owns the slot for its call (exchange)
        CallerSlot slot;                 ///< the protocol's state (call.h)
        volatile bool rang = false;      ///< the doorbell's handshake with the waiter
        kern::Atomic<kern::Thread*> waiter{nullptr}; ///< the caller to wake, while it waits
    };
    class KernelEnv;

    vlibos::ChannelHeader* header() const;
    uint8_t* buffer(uint32_t i) const;
    bool slave_up() const;
    int64_t connect();
    int64_t acquire(uint64_t deadline, uint32_t& slot);
    void release(uint32_t slot);
    void wake_daemon();
    bool babysit(uint64_t deadline);
    void wait_a_little(Caller& c, uint64_t deadline, uint64_t& interval);
    void charge_service(uint64_t service_ns, uint64_t waited);
    int64_t transact(uint32_t slot, vlibos::Op op, const int64_t args[6], const void* payload,
                     uint32_t payload_len, void* out, uint32_t out_cap, uint32_t* out_len);
    static void doorbell_bottom(void* self);

    uint8_t* m_region = nullptr;
    WaitMode m_mode = WaitMode::poll;
    unsigned m_slave = 0;
    Caller m_callers[vlibos::CALLERS];
    DelegateStats m_stats;
    kern::Atomic<uint32_t> m_in_flight{0}; ///< calls between connect and their answer
    bool m_charging = false;
    kern::Atomic<bool> m_paused{false}; ///< pause(): calls wait for a slot without a deadline
    kern::IoVcpu* m_io = nullptr;
    kern::Atomic<bool> m_bottom_queued{false}; ///< one is queued and has not started
};

/// The channel of slave number @p slave (libos.cc attaches one per slave); slave 0's is the
/// default.
Channel& channel_of(unsigned slave);
/// The default channel (slave 0's).
Channel& default_channel();

/// Route each service to the slave @p routes names (route.h), @p slaves running.
void set_routes(const Routes& routes, unsigned slaves);

/// One delegated call, on the channel of the slave its service is routed to (set_routes; all to
/// slave 0 unless told): Channel::call(). A service routed to a slave that does not run fails
/// with -ENOSYS, said once on the console.
int64_t delegate(vlibos::Op op, const int64_t args[6], const void* payload, uint32_t payload_len,
                 void* out, uint32_t out_cap, uint32_t* out_len);

/// The default channel's operations.
/// @{
void on_doorbell();
void set_doorbell_io_vcpu(kern::IoVcpu* io);
DelegateStats delegate_stats();
bool daemon_up();
bool daemon_asleep();
void delegation_pause();
void delegation_resume();
/// @}

} // namespace libos
