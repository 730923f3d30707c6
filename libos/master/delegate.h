// The master's side of the channel: one delegated call at a time, from any master thread, to
// vlibosd in the Linux slave (libos/channel/protocol.h for the messages).
//
//   delegate(op, args, payload) -> copy the payload into a bulk buffer, push the request,
//   wait (poll the response ring, or sleep until the slave's doorbell), check the response
//   (check_response), copy the result data out -> the result or -errno
//
// A call blocks only its caller: waiting is sleeping, so other threads of its CPU run, and the
// cycles it spends itself (copying, checking, polling) are charged to its own VCPU. Nothing the
// slave writes can make the master read or write outside the channel, or wait forever: every
// call has a deadline (-ETIMEDOUT), a slave that stops makes pending and later calls fail
// (-ENOTCONN), and an impossible ring index or response disables nothing but that call
// (-EPROTO, counted).
#pragma once

#include "libos/channel/protocol.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {
struct IoVcpu;
}

namespace libos {

/// How a caller waits for its response.
enum class WaitMode : uint8_t {
    spin, ///< look at the response ring again and again (the fastest, all on the caller's budget)
    poll, ///< sleep between looks at the response ring: 50 us, doubling up to 800 us
    doorbell, ///< sleep until the slave rings (VMCALL -> hypervisor -> thread_wake), or POLL_US *
              ///< 20
    babysat,  ///< run the slave yourself, on its CPU, inside your own budget, until it rings
};

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
    uint64_t min_cycles = ~0ull, max_cycles = 0, total_cycles = 0; ///< round trips of valid calls
};

/// Set up the channel in @p region (CHANNEL_BYTES, zeroed by the caller): the header, with the
/// magic written last. @p is_up tells whether the slave is still running.
void channel_attach(uint8_t* region, WaitMode mode, bool (*is_up)());

/// One delegated call (see the file comment). @p payload of @p payload_len bytes goes to the
/// buffer; up to @p out_cap bytes of result data are copied to @p out and their count to
/// @p out_len (if not null). Returns the result, or -errno.
int64_t delegate(vlibos::Op op, const int64_t args[6], const void* payload, uint32_t payload_len,
                 void* out, uint32_t out_cap, uint32_t* out_len);

/// The doorbell: called on the slave's CPU, interrupts off (hv::linux_slave_share). Its bottom
/// half (waking the caller) runs on `set_doorbell_io_vcpu`'s I/O VCPU if there is one.
void on_doorbell();
/// Run the doorbell's bottom halves on @p io (kern::io_vcpu_create); nullptr: in the top half.
void set_doorbell_io_vcpu(kern::IoVcpu* io);

/// Counters so far.
DelegateStats delegate_stats();

/// Whether vlibosd has announced itself in the channel header.
bool daemon_up();
/// Whether vlibosd says it blocks until woken (and has not been woken since).
bool daemon_asleep();

/// Hold back every delegated call (they wait, as for one call in progress) until
/// delegation_resume(): for measuring an idle slave with no caller (libos_idle_check).
void delegation_pause();
/// Let calls go again.
void delegation_resume();

} // namespace libos
