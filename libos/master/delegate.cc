#include "libos/master/delegate.h"

#include "hypervisor/slave/linux_slave.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "lib/string.h"
#include "libos/channel/ring.h"
#include "libos/channel/validate.h"
#include "sched/io_vcpu.h"
#include "sched/thread.h"
#include "sched/vcpu.h"

namespace libos {

using namespace vlibos;
namespace cpu = kern::cpu;

namespace {

uint8_t* g_region = nullptr;
WaitMode g_mode = WaitMode::poll;
bool (*g_is_up)() = nullptr;
RingProducer<Request> g_requests;
RingConsumer<Response> g_responses;
uint32_t g_seq = 0;
DelegateStats g_stats;

/// One call at a time (calls are rare next to their cost): a flag taken with an atomic
/// exchange; a thread that finds it taken yields until it is free.
volatile uint32_t g_busy = 0;
/// The doorbell's handshake with the waiting caller (sleep_until_unless / thread_wake).
volatile bool g_rang = false;
kern::Thread* volatile g_waiter = nullptr;

constexpr uint64_t POLL_US = 50;                // between looks at the response ring
constexpr uint64_t CALL_TIMEOUT_MS = 5000;      // per call, once the request is in the ring
constexpr uint64_t CONNECT_TIMEOUT_MS = 120000; // for the daemon to come up (Linux boots first)

uint64_t us(uint64_t n) {
    return kern::g_clock.tsc_hz / 1000000 * n;
}

ChannelHeader* header() {
    return reinterpret_cast<ChannelHeader*>(g_region + HEADER_OFFSET);
}
uint8_t* buffer(uint32_t i) {
    return g_region + BUFFERS_OFFSET + uint64_t(i) * BUFFER_BYTES;
}
bool slave_up() {
    return g_is_up && g_is_up();
}

void lock() {
    // Sleep, not yield: the holder may be a lower-priority thread of this CPU, which a
    // yielding real-time thread would never let run (priority inversion).
    while (__atomic_exchange_n(&g_busy, 1, __ATOMIC_ACQUIRE))
        kern::sleep_until(cpu::rdtsc() + us(POLL_US));
}
void unlock() {
    __atomic_store_n(&g_busy, 0, __ATOMIC_RELEASE);
}

/// Babysat mode: run the slave in this thread, within its budget, until something happens.
/// Returns false if the slave cannot run any more (then the call fails with -ENOTCONN).
bool babysit(uint64_t deadline) {
    hv::BabysitResult r = hv::linux_slave_babysit(kern::current_budget_left());
    ++g_stats.babysits;
    switch (r.end) {
    case hv::BabysitEnd::responded:
    case hv::BabysitEnd::preempted:
        return true;             // (the interrupt is taken now: IF is back)
    case hv::BabysitEnd::budget: // descheduled until replenished
        ++g_stats.babysit_budget;
        kern::thread_yield();
        return true;
    case hv::BabysitEnd::idle: {
        ++g_stats.babysit_idle;
        uint64_t now = cpu::rdtsc(), until = r.idle_until ? r.idle_until : now + us(POLL_US);
        until = until < deadline ? until : deadline;
        g_stats.babysit_idle_cycles += until > now ? until - now : 0;
        kern::sleep_until(until);
        return true;
    }
    default:
        return false;
    }
}

/// After a push: if vlibosd blocks until woken, wake it. The fence orders the push (the ring's
/// head) before the look at the flag, as the daemon orders its flag before its last look at the
/// head: one of the two sees the other. The exchange makes one wake-up per sleep, however many
/// requests follow. Bounded whatever the slave wrote: a flag and one IPI (hv::linux_slave_wake).
void wake_daemon() {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ChannelHeader* h = header();
    if (__atomic_load_n(&h->daemon_asleep, __ATOMIC_ACQUIRE) &&
        __atomic_exchange_n(&h->daemon_asleep, 0u, __ATOMIC_SEQ_CST)) {
        hv::linux_slave_wake();
        ++g_stats.wakeups;
        h->wakeups = h->wakeups + 1;
    }
}

/// Sleep a little: until the doorbell (doorbell mode), or for `interval` us, which doubles
/// from POLL_US up to 16 times that: each look costs the caller a wake-up charged to its
/// budget, so a slow answer must not cost hundreds of them.
void wait_a_little(uint64_t deadline, uint64_t& interval) {
    uint64_t now = cpu::rdtsc();
    if (g_mode == WaitMode::spin) {
        __builtin_ia32_pause();
    } else if (g_mode == WaitMode::doorbell) {
        uint64_t until = now + us(POLL_US * 20); // a lost doorbell costs 1 ms, never a hang
        kern::sleep_until_unless(until < deadline ? until : deadline, &g_rang);
        g_rang = false;
    } else {
        uint64_t until = now + us(interval);
        kern::sleep_until(until < deadline ? until : deadline);
        interval = interval * 2 <= POLL_US * 16 ? interval * 2 : POLL_US * 16;
    }
}

} // namespace

void channel_attach(uint8_t* region, WaitMode mode, bool (*is_up)()) {
    g_region = region;
    g_mode = mode;
    g_is_up = is_up;
    ChannelHeader* h = header();
    h->version = CHANNEL_VERSION;
    h->slots = SLOTS;
    h->slot_bytes = SLOT_BYTES;
    h->buffers = BUFFERS;
    h->buffer_bytes = BUFFER_BYTES;
    h->doorbell_mode =
        mode == WaitMode::doorbell || mode == WaitMode::babysat ? DOORBELL_VMCALL : DOORBELL_NONE;
    h->daemon_up = 0;
    g_requests = RingProducer<Request>(region + REQUEST_RING_OFFSET);
    g_responses = RingConsumer<Response>(region + RESPONSE_RING_OFFSET);
    __atomic_store_n(&h->magic, CHANNEL_MAGIC, __ATOMIC_RELEASE); // the header is complete
}

bool daemon_up() {
    return g_region && __atomic_load_n(&header()->daemon_up, __ATOMIC_ACQUIRE) != 0;
}

bool daemon_asleep() {
    return g_region && __atomic_load_n(&header()->daemon_asleep, __ATOMIC_ACQUIRE) != 0;
}

void delegation_pause() {
    lock();
}
void delegation_resume() {
    unlock();
}

namespace {
kern::IoVcpu* g_io = nullptr; // the doorbell's bottom halves run here (if it could be admitted)
volatile bool g_bottom_queued = false; // one is queued and has not started: more rings add nothing

/// The doorbell's bottom half: tell the waiting caller.
void doorbell_bottom(void*) {
    __atomic_store_n(&g_bottom_queued, false, __ATOMIC_SEQ_CST);
    g_rang = true;
    if (kern::Thread* w = g_waiter) kern::thread_wake(w);
}
} // namespace

void set_doorbell_io_vcpu(kern::IoVcpu* io) {
    g_io = io;
}

void on_doorbell() {
    ++g_stats.doorbells;
    // The top half, on the slave's CPU in its exit handler: hand the work to the I/O VCPU, whose
    // bandwidth bounds what a slave ringing in a loop can take from the master.
    if (g_io) {
        if (!__atomic_exchange_n(&g_bottom_queued, true, __ATOMIC_SEQ_CST) &&
            !kern::io_vcpu_post(*g_io, doorbell_bottom, nullptr))
            g_bottom_queued = false; // the queue was full: the caller's 1 ms fallback look remains
        return;
    }
    doorbell_bottom(nullptr);
}

DelegateStats delegate_stats() {
    return g_stats;
}

int64_t delegate(Op op, const int64_t args[6], const void* payload, uint32_t payload_len, void* out,
                 uint32_t out_cap, uint32_t* out_len) {
    if (!g_region) return -CE_NOSYS; // no channel: the slave does not run
    if (payload_len > BUFFER_BYTES) return -CE_INVAL;
    lock();
    // Linux boots for a while before vlibosd is up: the first calls wait for it.
    uint64_t connect_deadline = cpu::rdtsc() + us(CONNECT_TIMEOUT_MS * 1000);
    while (!daemon_up() && slave_up() && cpu::rdtsc() < connect_deadline)
        kern::sleep_until(cpu::rdtsc() + us(1000));
    if (!daemon_up() || !slave_up()) {
        ++g_stats.not_connected;
        unlock();
        return -CE_NOTCONN;
    }
    if (g_mode == WaitMode::babysat && !hv::linux_slave_babysat_ready()) {
        // The first call after vlibosd came up: the slave leaves its dedicated CPU.
        uint64_t until = cpu::rdtsc() + us(1000000);
        while (!hv::linux_slave_babysat_ready() && slave_up() && cpu::rdtsc() < until) {
            hv::linux_slave_request_babysat();
            kern::sleep_until(cpu::rdtsc() + us(1000));
        }
    }
    if (g_mode == WaitMode::babysat && hv::linux_slave_cpu() != kern::this_cpu().index) {
        ++g_stats.not_connected; // babysat: only threads of the slave's CPU can run it
        unlock();
        return -CE_NOTCONN;
    }
    Request req{};
    req.seq = ++g_seq;
    req.op = op;
    req.buffer = req.seq % BUFFERS; // 64 calls before a buffer is reused
    req.len = payload_len;
    for (int i = 0; i < 6; ++i)
        req.args[i] = args ? args[i] : 0;
    if (payload_len) memcpy(buffer(req.buffer), payload, payload_len);
    uint64_t t0 = cpu::rdtsc();
    uint64_t deadline = t0 + us(CALL_TIMEOUT_MS * 1000);
    int64_t result = 0;
    uint64_t interval = POLL_US;
    g_waiter = kern::current_thread();
    for (;;) { // push: wait while the daemon has 64 requests to read
        RingStatus s = g_requests.push(req);
        if (s == RingStatus::ok) {
            wake_daemon();
            break;
        }
        if (s == RingStatus::corrupt || cpu::rdtsc() >= deadline || !slave_up()) {
            result = s == RingStatus::corrupt ? -CE_PROTO : slave_up() ? -CE_TIMEDOUT : -CE_NOTCONN;
            goto done;
        }
        wait_a_little(deadline, interval);
    }
    for (;;) {
        Response rsp;
        RingStatus s = g_responses.pop(rsp);
        if (s == RingStatus::ok) {
            if (rsp.seq != req.seq) { // the answer to an earlier call that timed out
                ++g_stats.stale;
                continue;
            }
            if (int64_t bad = check_response(req, rsp)) {
                ++g_stats.rejected;
                result = bad;
                goto done;
            }
            uint32_t n = rsp.len < out_cap ? rsp.len : out_cap;
            if (n && out) memcpy(out, buffer(req.buffer), n);
            if (out_len) *out_len = n;
            result = rsp.result;
            uint64_t c = cpu::rdtsc() - t0;
            if (kern::Vcpu* v = kern::current_thread()->vcpu)
                kern::vcpu_account_delegated(*v, c); // dedicated mode: the wait is accounted
            ++g_stats.calls;
            g_stats.total_cycles += c;
            g_stats.min_cycles = c < g_stats.min_cycles ? c : g_stats.min_cycles;
            g_stats.max_cycles = c > g_stats.max_cycles ? c : g_stats.max_cycles;
            goto done;
        }
        if (s == RingStatus::corrupt) {
            ++g_stats.rejected;
            result = -CE_PROTO;
            goto done;
        }
        if (!slave_up()) {
            ++g_stats.not_connected;
            result = -CE_NOTCONN;
            goto done;
        }
        if (cpu::rdtsc() >= deadline) {
            ++g_stats.timeouts;
            result = -CE_TIMEDOUT;
            goto done;
        }
        if (g_mode == WaitMode::babysat) {
            if (!babysit(deadline)) {
                ++g_stats.not_connected;
                result = -CE_NOTCONN;
                goto done;
            }
        } else {
            wait_a_little(deadline, interval);
        }
    }
done:
    g_waiter = nullptr;
    unlock();
    return result;
}

} // namespace libos
