#include "libos/master/delegate.h"

#include "hypervisor/core/slave/babysat_budget.h"
#include "hypervisor/slave/linux_slave.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "lib/string.h"
#include "libos/channel/validate.h"
#include "sched/io_vcpu.h"
#include "sched/thread.h"
#include "sched/vcpu.h"

namespace libos {

using namespace vlibos;
namespace cpu = kern::cpu;

namespace {

constexpr uint64_t POLL_US = 50;                // between looks at the response ring
constexpr uint64_t CALL_TIMEOUT_MS = 5000;      // per call, once the request is in the ring
constexpr uint64_t CONNECT_TIMEOUT_MS = 120000; // for the daemon to come up (Linux boots first)

uint64_t us(uint64_t n) {
    return kern::g_clock.tsc_hz / 1000000 * n;
}

/// Counters are updated by every caller at once.
void add(uint64_t& counter, uint64_t n = 1) {
    __atomic_fetch_add(&counter, n, __ATOMIC_RELAXED);
}
void lower_to(uint64_t& v, uint64_t x) {
    uint64_t old = __atomic_load_n(&v, __ATOMIC_RELAXED);
    while (x < old &&
           !__atomic_compare_exchange_n(&v, &old, x, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}
void raise_to(uint64_t& v, uint64_t x) {
    uint64_t old = __atomic_load_n(&v, __ATOMIC_RELAXED);
    while (x > old &&
           !__atomic_compare_exchange_n(&v, &old, x, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

Channel g_channels[hv::MAX_SLAVES]; // one per slave: libos.cc attaches them
Routes g_routes;                    // every service to slave 0 until set_routes()
unsigned g_slaves = 1;              // slaves running, for g_routes
bool g_unoffered_said[size_t(Service::count)];

} // namespace

ChannelHeader* Channel::header() const {
    return reinterpret_cast<ChannelHeader*>(m_region + HEADER_OFFSET);
}
uint8_t* Channel::buffer(uint32_t i) const {
    return m_region + BUFFERS_OFFSET + uint64_t(i) * BUFFER_BYTES;
}

void Channel::attach(uint8_t* region, WaitMode mode, unsigned slave) {
    m_region = region;
    m_mode = mode;
    m_slave = slave;
    ChannelHeader* h = header();
    h->version = CHANNEL_VERSION;
    h->callers = CALLERS;
    h->slots = SLOTS;
    h->slot_bytes = SLOT_BYTES;
    h->buffers = BUFFERS;
    h->buffer_bytes = BUFFER_BYTES;
    h->doorbell_mode =
        mode == WaitMode::doorbell || mode == WaitMode::babysat ? DOORBELL_VMCALL : DOORBELL_NONE;
    h->daemon_up = 0;
    for (uint32_t c = 0; c < CALLERS; ++c) {
        CallerSlot& slot = m_callers[c].slot;
        slot.index = c;
        slot.requests = RingProducer<Request>(region + request_ring_offset(c));
        slot.responses = RingConsumer<Response>(region + response_ring_offset(c));
    }
    __atomic_store_n(&h->magic, CHANNEL_MAGIC, __ATOMIC_RELEASE); // the header is complete
}

bool Channel::slave_up() const {
    return m_region && hv::linux_slave_running(m_slave);
}

bool Channel::daemon_up() const {
    return m_region && __atomic_load_n(&header()->daemon_up, __ATOMIC_ACQUIRE) != 0;
}

bool Channel::daemon_asleep() const {
    return m_region && __atomic_load_n(&header()->daemon_asleep, __ATOMIC_ACQUIRE) != 0;
}

void Channel::pause() {
    // Own every caller slot: calls wait for one, as for calls in progress (with no deadline
    // while paused: acquire()).
    m_paused.store(true, kern::MemoryOrder::relaxed);
    for (Caller& c : m_callers)
        while (c.taken.exchange(1u, kern::MemoryOrder::acquire))
            kern::sleep_until(cpu::rdtsc() + us(POLL_US));
}
void Channel::resume() {
    for (Caller& c : m_callers)
        c.taken.store(0u, kern::MemoryOrder::release);
    m_paused.store(false, kern::MemoryOrder::relaxed);
}

DelegateStats Channel::stats() const {
    return m_stats;
}

/// Babysat mode: run the slave in this thread, within its budget, until something happens.
/// Returns false if the slave cannot run any more (then the call fails with -ENOTCONN).
bool Channel::babysit(uint64_t deadline) {
    hv::BabysitResult r = hv::linux_slave_babysit(kern::current_budget_left(), m_slave);
    add(m_stats.babysits);
    uint64_t now = cpu::rdtsc();
    hv::CallerNext next = hv::after_babysit(r, now, deadline, us(POLL_US)); // lab 9
    switch (next.kind) {
    case hv::CallerNext::look: // (a master interrupt is taken now: IF is back)
        return true;
    case hv::CallerNext::yield: // descheduled until replenished
        add(m_stats.babysit_budget);
        kern::thread_yield();
        return true;
    case hv::CallerNext::sleep:
        add(m_stats.babysit_idle);
        add(m_stats.babysit_idle_cycles, next.until > now ? next.until - now : 0);
        kern::sleep_until(next.until);
        return true;
    default:
        return false;
    }
}

/// After a push: if vlibosd blocks until woken, wake it. The fence orders the push (the ring's
/// head) before the look at the flag, as the daemon orders its flag before its last look at the
/// rings: one of the two sees the other. The exchange makes one wake-up per sleep, however many
/// requests follow. Bounded whatever the slave wrote: a flag and one IPI (hv::linux_slave_wake).
void Channel::wake_daemon() {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ChannelHeader* h = header();
    if (__atomic_load_n(&h->daemon_asleep, __ATOMIC_ACQUIRE) &&
        __atomic_exchange_n(&h->daemon_asleep, 0u, __ATOMIC_SEQ_CST)) {
        hv::linux_slave_wake(m_slave);
        add(m_stats.wakeups);
        __atomic_fetch_add(&h->wakeups, 1, __ATOMIC_RELAXED);
    }
}

/// Wait once between looks at the response ring, as plan_wait() (lab 8) says for this mode.
void Channel::wait_a_little(Caller& c, uint64_t deadline, uint64_t& interval) {
    WaitPlan p =
        plan_wait(m_mode, cpu::rdtsc(), deadline, interval, us(POLL_US * 16), us(POLL_US * 20));
    interval = p.next_interval;
    if (!p.sleep) {
        __builtin_ia32_pause();
    } else if (p.until_doorbell) {
        kern::sleep_until_unless(p.until, &c.rang); // a lost doorbell costs 1 ms, never a hang
        c.rang = false;
    } else {
        kern::sleep_until(p.until);
    }
}

/// Dedicated mode (libos_charge): charge the caller's VCPU for the CPU time Linux spent on its
/// call (call_charge(), lab 8). What the budget cannot pay becomes debt, which the next
/// replenishments pay before the caller runs again: a caller out of budget gets no more Linux
/// service until then.
void Channel::charge_service(uint64_t service_ns, uint64_t waited) {
    if (!m_charging || !kern::current_thread()->vcpu) return;
    uint64_t charge = call_charge(service_ns, waited, kern::g_clock.tsc_hz);
    if (!charge) return; // (the null call: nothing done in Linux, nothing to reprogram)
    add(m_stats.charged_cycles, charge);
    (void)kern::current_charge_wait(charge);
}

int64_t Channel::connect() {
    // Linux boots for a while before vlibosd is up: the first calls wait for it, looking every
    // 10 ms (looks every 1 ms, some 1,200 cycles each, took a caller with a 12% budget most of
    // it for all the 13 s of the boot).
    uint64_t connect_deadline = cpu::rdtsc() + us(CONNECT_TIMEOUT_MS * 1000);
    while (!daemon_up() && slave_up() && cpu::rdtsc() < connect_deadline)
        kern::sleep_until(cpu::rdtsc() + us(10000));
    if (!daemon_up() || !slave_up()) return -CE_NOTCONN;
    if (m_mode == WaitMode::babysat && !hv::linux_slave_babysat_ready(m_slave)) {
        // The first call after vlibosd came up: the slave leaves its dedicated CPU.
        uint64_t until = cpu::rdtsc() + us(1000000);
        while (!hv::linux_slave_babysat_ready(m_slave) && slave_up() && cpu::rdtsc() < until) {
            hv::linux_slave_request_babysat(m_slave);
            kern::sleep_until(cpu::rdtsc() + us(1000));
        }
    }
    if (m_mode == WaitMode::babysat && hv::linux_slave_cpu(m_slave) != kern::this_cpu().index)
        return -CE_NOTCONN; // babysat: only threads of the slave's CPU can run it
    return 0;
}

/// Take a free caller slot, preferring the one this thread used last time (its hash), until
/// @p deadline. 0, -CE_TIMEDOUT (every slot busy or still waiting for a timed-out call), or
/// -CE_PROTO (every slot's ring is corrupt).
int64_t Channel::acquire(uint64_t deadline, uint32_t& slot) {
    uint32_t start = uint32_t(reinterpret_cast<uintptr_t>(kern::current_thread()) >> 6) % CALLERS;
    for (;;) {
        uint32_t corrupt = 0;
        for (uint32_t i = 0; i < CALLERS; ++i) {
            uint32_t s = (start + i) % CALLERS;
            Caller& c = m_callers[s];
            if (c.slot.corrupt) {
                ++corrupt;
                continue;
            }
            if (c.taken.load(kern::MemoryOrder::relaxed) ||
                c.taken.exchange(1u, kern::MemoryOrder::acquire))
                continue;
            uint32_t stale = 0;
            bool usable = !c.slot.unanswered || drain_slot(c.slot, stale);
            add(m_stats.stale, stale);
            if (!usable) {
                release(s);
                continue;
            }
            slot = s;
            return 0;
        }
        if (corrupt == CALLERS) return -CE_PROTO;
        if (m_paused.load(kern::MemoryOrder::relaxed))
            deadline = cpu::rdtsc() + us(CALL_TIMEOUT_MS * 1000);
        if (cpu::rdtsc() >= deadline) return -CE_TIMEDOUT;
        kern::sleep_until(cpu::rdtsc() + us(POLL_US));
    }
}

void Channel::release(uint32_t slot) {
    m_callers[slot].taken.store(0u, kern::MemoryOrder::release);
}

/// The kernel's side of a call on caller slot `c`: the TSC, the slave's state, and the
/// channel's way of waiting (babysat: run the slave; else wait_a_little()).
class Channel::KernelEnv final : public CallEnv {
  public:
    KernelEnv(Channel& ch, Caller& c) : m_ch(ch), m_c(c) {}
    uint64_t now() override { return cpu::rdtsc(); }
    bool slave_up() override { return m_ch.slave_up(); }
    uint8_t* buffer(uint32_t i) override { return m_ch.buffer(i < BUFFERS ? i : 0); }
    void pushed() override { m_ch.wake_daemon(); }
    bool wait(uint64_t deadline) override {
        if (m_ch.m_mode == WaitMode::babysat) return m_ch.babysit(deadline);
        m_ch.wait_a_little(m_c, deadline, m_interval);
        return true;
    }

  private:
    Channel& m_ch;
    Caller& m_c;
    uint64_t m_interval = us(POLL_US);
};

int64_t Channel::transact(uint32_t slot, Op op, const int64_t args[6], const void* payload,
                          uint32_t payload_len, void* out, uint32_t out_cap, uint32_t* out_len) {
    Caller& c = m_callers[slot];
    c.rang = false;
    c.waiter.store(kern::current_thread(), kern::MemoryOrder::release);
    KernelEnv env(*this, c);
    CallReport report;
    uint64_t t0 = cpu::rdtsc();
    int64_t r =
        call_on_slot(c.slot, CallArgs{op, args, payload, payload_len, out, out_cap, out_len},
                     us(CALL_TIMEOUT_MS * 1000), env, report);
    uint64_t cycles = cpu::rdtsc() - t0;
    c.waiter.store(nullptr, kern::MemoryOrder::release);
    add(m_stats.stale, report.stale);
    switch (report.end) {
    case CallEnd::answered:
        if (kern::Vcpu* v = kern::current_thread()->vcpu) kern::vcpu_account_delegated(*v, cycles);
        charge_service(report.service_ns, cycles);
        add(m_stats.calls);
        add(m_stats.total_cycles, cycles);
        lower_to(m_stats.min_cycles, cycles);
        raise_to(m_stats.max_cycles, cycles);
        break;
    case CallEnd::timed_out:
        add(m_stats.timeouts);
        break;
    case CallEnd::not_connected:
        add(m_stats.not_connected);
        break;
    case CallEnd::rejected:
        add(m_stats.rejected);
        break;
    }
    return r;
}

int64_t Channel::call(Op op, const int64_t args[6], const void* payload, uint32_t payload_len,
                      void* out, uint32_t out_cap, uint32_t* out_len) {
    if (!m_region) return -CE_NOSYS; // no channel: the slave does not run
    if (payload_len > BUFFER_BYTES) return -CE_INVAL;
    if (int64_t e = connect()) {
        add(m_stats.not_connected);
        return e;
    }
    uint32_t slot = 0;
    if (int64_t e = acquire(cpu::rdtsc() + us(CALL_TIMEOUT_MS * 1000), slot)) {
        add(e == -CE_TIMEDOUT ? m_stats.timeouts : m_stats.rejected);
        return e;
    }
    uint64_t n = m_in_flight.fetch_add(1, kern::MemoryOrder::relaxed) + 1;
    raise_to(m_stats.concurrent_max, n);
    int64_t r = transact(slot, op, args, payload, payload_len, out, out_cap, out_len);
    m_in_flight.fetch_sub(1, kern::MemoryOrder::relaxed);
    release(slot);
    return r;
}

/// The doorbell's bottom half: wake the callers whose response ring has something.
void Channel::doorbell_bottom(void* self) {
    auto* ch = static_cast<Channel*>(self);
    ch->m_bottom_queued.store(false, kern::MemoryOrder::seq_cst);
    for (Caller& c : ch->m_callers) {
        kern::Thread* w = c.waiter.load(kern::MemoryOrder::acquire);
        if (!w || !c.slot.responses.ready_hint()) continue;
        c.rang = true;
        kern::thread_wake(w);
    }
}

void Channel::on_doorbell() {
    add(m_stats.doorbells);
    // The top half, on the slave's CPU in its exit handler: hand the work to the I/O VCPU, whose
    // bandwidth bounds what a slave ringing in a loop can take from the master.
    if (m_io) {
        if (!m_bottom_queued.exchange(true, kern::MemoryOrder::seq_cst) &&
            !kern::io_vcpu_post(*m_io, doorbell_bottom, this))
            m_bottom_queued.store(false,
                                  kern::MemoryOrder::seq_cst); // the queue was full: the callers' 1
                                                               // ms fallback looks remain
        return;
    }
    doorbell_bottom(this);
}

Channel& channel_of(unsigned slave) {
    return g_channels[slave < hv::MAX_SLAVES ? slave : 0];
}
Channel& default_channel() {
    return g_channels[0];
}

void set_routes(const Routes& routes, unsigned slaves) {
    g_routes = routes;
    g_slaves = slaves;
}

int64_t delegate(Op op, const int64_t args[6], const void* payload, uint32_t payload_len, void* out,
                 uint32_t out_cap, uint32_t* out_len) {
    CallRoute to = route_call(g_routes, op, args[0], g_slaves);
    if (to.slave < 0) {
        Service s = service_of(op);
        if (to.error == -CE_NOSYS &&
            !__atomic_exchange_n(&g_unoffered_said[size_t(s)], true, __ATOMIC_RELAXED))
            kern::kprintf("libos: no slave offers %s (libos_route= names slave %u, %u running): "
                          "its calls fail with ENOSYS\n",
                          service_name(s), unsigned(g_routes.slave[size_t(s)]), g_slaves);
        return to.error;
    }
    int64_t linux_args[6];
    for (int i = 0; i < 6; ++i)
        linux_args[i] = args[i];
    if (takes_fd(op)) linux_args[0] = to.fd; // Linux's own number for it
    int64_t r =
        g_channels[to.slave].call(op, linux_args, payload, payload_len, out, out_cap, out_len);
    return result_for_master(op, unsigned(to.slave), r);
}

void on_doorbell() {
    g_channels[0].on_doorbell();
}
void set_doorbell_io_vcpu(kern::IoVcpu* io) {
    g_channels[0].set_doorbell_io_vcpu(io);
}
DelegateStats delegate_stats() {
    return g_channels[0].stats();
}
bool daemon_up() {
    return g_channels[0].daemon_up();
}
bool daemon_asleep() {
    return g_channels[0].daemon_asleep();
}
void delegation_pause() {
    g_channels[0].pause();
}
void delegation_resume() {
    g_channels[0].resume();
}

} // namespace libos
