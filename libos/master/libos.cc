// libos's entry into the master: with slave=linux on the command line, a late-init hook (before
// the slave boots) sets up the delegation channel, shares it with the slave, and registers the
// syscall fallback; at the end of the run it reports the calls.
//
//   libos=doorbell (default) | poll | spin | babysat   how a caller waits for its response;
//                                                    per slave: libos=doorbell,babysat
//   libos_route=files:0,sockets:1,run:1              which slave serves which service
//
// The slave's init starts vlibosd when the kernel command line has vlibos.channel=, and the
// master stops the slave once its applications have ended (slave_run=serve keeps Linux up).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/core/hypercall.h"
#include "hypervisor/slave/linux_slave.h"
#include "lib/string.h"
#include "libos/master/delegate.h"
#include "libos/master/syscalls.h"
#include "mem/memory.h"
#include "platform.h"
#include "proc/process.h"
#include "sched/io_vcpu.h"
#include "sched/thread.h"
#include "test/report.h"

namespace libos {

static_assert(vlibos::HC_DOORBELL_NR == hv::HC_DOORBELL,
              "the daemon and the hypervisor disagree on the doorbell");

namespace {

kern::IoVcpu* g_io[hv::MAX_SLAVES];                   // each doorbell channel's bottom halves
bool g_attached[hv::MAX_SLAVES];                      // the slave has a channel
const char* const WHO[] = {"libos", "libos slave=1"}; // what each channel's lines start with
static_assert(sizeof WHO / sizeof WHO[0] == hv::MAX_SLAVES);

/// One channel's calls: slave 0's as `libos: ...` and `@@ libos calls=...`, slave 1's as
/// `libos slave=1: ...` and `@@ libos slave=1 calls=...`.
void report_channel(unsigned slave) {
    DelegateStats s = channel_of(slave).stats();
    const char* who = WHO[slave];
    uint64_t avg = s.calls ? s.total_cycles / s.calls : 0;
    kern::kprintf(
        "%s: %lu delegated calls (round trip min %lu avg %lu max %lu cycles), %lu timeouts, %lu "
        "refused (no daemon), %lu bad responses, %lu stale, %lu doorbells, %lu wake-ups of a "
        "sleeping daemon\n",
        who, s.calls, s.calls ? s.min_cycles : 0, avg, s.max_cycles, s.timeouts, s.not_connected,
        s.rejected, s.stale, s.doorbells, s.wakeups);
    char line[360];
    kern::snformat(line, sizeof line,
                   "%s calls=%lu min_cycles=%lu avg_cycles=%lu max_cycles=%lu timeouts=%lu "
                   "not_connected=%lu rejected=%lu stale=%lu doorbells=%lu wakeups=%lu "
                   "concurrent_max=%lu charged_cycles=%lu",
                   who, s.calls, s.calls ? s.min_cycles : 0, avg, s.max_cycles, s.timeouts,
                   s.not_connected, s.rejected, s.stale, s.doorbells, s.wakeups, s.concurrent_max,
                   s.charged_cycles);
    kern::report_line(line);
    if (kern::IoVcpu* io_vcpu = g_io[slave]) {
        kern::IoVcpuStats io = kern::io_vcpu_stats(*io_vcpu);
        kern::kprintf("%s: doorbell I/O VCPU (%lu of every %lu cycles): %lu bottom halves "
                      "posted, %lu run, %lu dropped (queue full), %lu wake-ups, %lu cycles "
                      "consumed\n",
                      who, io.budget, io.period, io.posted, io.run, io.dropped, io.wakeups,
                      io.consumed);
        kern::snformat(line, sizeof line,
                       "%s_io posted=%lu run=%lu dropped=%lu wakeups=%lu consumed=%lu "
                       "budget=%lu period=%lu",
                       slave ? "libos1" : "libos", io.posted, io.run, io.dropped, io.wakeups,
                       io.consumed, io.budget, io.period);
        kern::report_line(line);
    }
    if (s.babysits)
        kern::kprintf("%s: babysat: %lu runs of the slave, %lu ended idle (callers slept %lu "
                      "cycles for its timers), %lu at the end of a budget\n",
                      who, s.babysits, s.babysit_idle, s.babysit_idle_cycles, s.babysit_budget);
}

void report(const kern::RunSummary&) {
    for (unsigned slave = 0; slave < hv::MAX_SLAVES; ++slave)
        if (g_attached[slave]) report_channel(slave);
}

/// Babysat mode: once the slave's vlibosd is up, ask the hypervisor to park the slave (from CPU
/// 0: the slave's CPU belongs to the slave until then, so none of its threads can ask). @p arg:
/// the slave's number.
void babysat_switcher(void* arg) {
    unsigned slave = unsigned(reinterpret_cast<uintptr_t>(arg));
    const Channel& ch = channel_of(slave);
    uint64_t ms = kern::g_clock.tsc_hz / 1000;
    while (!ch.daemon_up() || !hv::linux_slave_babysat_ready(slave)) {
        if (ch.daemon_up()) hv::linux_slave_request_babysat(slave);
        kern::sleep_until(kern::cpu::rdtsc() + (ch.daemon_up() ? ms : 10 * ms));
        if (!hv::linux_slave_running(slave) && ch.daemon_up()) return; // the slave ended first
    }
}

/// libos_idle_check=S: once vlibosd is up and has gone to sleep, hold every call back and count
/// the slave's VM exits over S seconds of TSC time (exact: both are counts, not wall time); an
/// idle slave with no caller must take at most IDLE_EXITS_PER_S. The calls held back then go on.
constexpr uint64_t IDLE_EXITS_PER_S = 10;
uint64_t g_idle_check_s = 0;

void idle_check(void*) {
    delegation_pause(); // first: the applications' first calls wait for the daemon anyway
    uint64_t hz = kern::g_clock.tsc_hz, t = kern::cpu::rdtsc();
    while (!daemon_up() && kern::cpu::rdtsc() - t < 300 * hz)
        kern::sleep_until(kern::cpu::rdtsc() + hz / 100);
    t = kern::cpu::rdtsc();
    while (daemon_up() && !daemon_asleep() &&
           kern::cpu::rdtsc() - t < 5 * hz) // (a polling daemon never is)
        kern::sleep_until(kern::cpu::rdtsc() + hz / 100);
    // Let Linux finish what the daemon's start began (its own and serve.sh's console lines).
    kern::sleep_until(kern::cpu::rdtsc() + hz);
    uint64_t e0 = 0, e1 = 0;
    bool ok0 = hv::linux_slave_exits(e0);
    uint64_t t0 = kern::cpu::rdtsc();
    kern::sleep_until(t0 + g_idle_check_s * hz);
    bool ok1 = hv::linux_slave_exits(e1);
    uint64_t t1 = kern::cpu::rdtsc();
    bool asleep = daemon_asleep();
    delegation_resume();
    char why[160] = "";
    bool pass = false;
    if (!ok0 || !ok1) {
        kern::snformat(why, sizeof why, "the slave was not running for the whole window");
    } else {
        uint64_t exits = e1 - e0, per_s_x10 = exits * 10 * hz / (t1 - t0);
        kern::kprintf("libos: idle slave, no caller: %lu VM exits in %lu cycles (%lu.%lu per "
                      "second); vlibosd %s\n",
                      exits, t1 - t0, per_s_x10 / 10, per_s_x10 % 10,
                      asleep ? "asleep" : "not asleep");
        kern::report_metric("slave_idle_exits_per_s_x10", per_s_x10, "exits");
        pass = per_s_x10 <= IDLE_EXITS_PER_S * 10;
        if (!pass)
            kern::snformat(
                why, sizeof why, "%lu.%lu VM exits per second (at most %lu allowed; vlibosd %s)",
                per_s_x10 / 10, per_s_x10 % 10, IDLE_EXITS_PER_S, asleep ? "asleep" : "not asleep");
    }
    kern::report_test("slave_idle_exits", pass, why);
    kern::background_job_end();
}

/// How slave @p slave's callers wait: its item of `libos=` (doorbell if there is none).
WaitMode mode_of(unsigned slave) {
    char m[16];
    if (!kern::g_cmdline.get_item("libos", slave, m, sizeof m)) return WaitMode::doorbell;
    if (strcmp(m, "doorbell") == 0) return WaitMode::doorbell;
    if (strcmp(m, "poll") == 0) return WaitMode::poll;
    if (strcmp(m, "spin") == 0) return WaitMode::spin;
    if (strcmp(m, "babysat") == 0) return WaitMode::babysat;
    kern::kprintf("libos: libos=%s: '%s' is not a mode (doorbell, poll, spin, babysat): "
                  "slave %u's callers sleep until its doorbell\n",
                  kern::g_cmdline.get("libos"), m, slave);
    return WaitMode::doorbell;
}

const char* mode_text(WaitMode mode) {
    switch (mode) {
    case WaitMode::doorbell:
        return "sleep until the slave's doorbell";
    case WaitMode::spin:
        return "spin";
    case WaitMode::babysat:
        return "run the slave themselves, inside their budgets (babysat)";
    case WaitMode::poll:
        break;
    }
    return "poll";
}

/// The doorbell of each slave's channel (the hypervisor calls a plain function).
template <unsigned SLAVE> void doorbell_of() {
    channel_of(SLAVE).on_doorbell();
}
void (*const DOORBELLS[])() = {doorbell_of<0>, doorbell_of<1>};
static_assert(sizeof DOORBELLS / sizeof DOORBELLS[0] == hv::MAX_SLAVES);

/// Set up slave @p slave's channel, shared with it before it boots; false if there is no memory.
bool attach_slave(unsigned slave, WaitMode mode) {
    auto region = kern::frame_alloc_contiguous(vlibos::CHANNEL_BYTES / kern::PAGE_SIZE, 2 << 20);
    if (!region.ok()) {
        kern::kprintf("%s: no 2 MiB for the channel: no delegation to slave %u\n", WHO[slave],
                      slave);
        return false;
    }
    auto* p = reinterpret_cast<uint8_t*>(region.value());
    memset(p, 0, vlibos::CHANNEL_BYTES);
    Channel& ch = channel_of(slave);
    ch.attach(p, mode, slave);
    // Sleeping callers (doorbell, poll) are charged Linux's time on their calls unless
    // libos_charge=0; a spinning caller pays for the wait by running, a babysitting one by
    // running the slave in its own time.
    ch.set_charging((mode == WaitMode::doorbell || mode == WaitMode::poll) &&
                    kern::g_cmdline.get_u64("libos_charge", 1) != 0);
    hv::linux_slave_share(region.value(), vlibos::CHANNEL_BYTES,
                          mode == WaitMode::doorbell ? DOORBELLS[slave] : nullptr, slave);
    // (babysat: the doorbell is an exit the caller itself takes; nobody needs waking)
    if (mode == WaitMode::doorbell) {
        // The doorbell's bottom halves on an I/O VCPU of CPU 0: 10% every 20 ms (a period longer
        // than the shortest real-time ones, so that it never delays them by rate-monotonic order).
        auto io = kern::io_vcpu_create(0, 100000, kern::g_clock.tsc_hz / 50,
                                       slave ? "doorbell-io1" : "doorbell-io");
        if (io.ok()) {
            g_io[slave] = io.value();
            ch.set_doorbell_io_vcpu(g_io[slave]);
        } else {
            kern::kprintf("%s: no I/O VCPU for the doorbell (%s): bottom halves run in the top "
                          "half\n",
                          WHO[slave], io.error().what);
        }
    }
    if (mode == WaitMode::babysat) {
        kern::ThreadOptions o;
        o.name = "babysat-switch";
        o.cpu = 0;
        o.detached = true;
        if (!kern::thread_create(babysat_switcher, reinterpret_cast<void*>(uintptr_t(slave)), o)
                 .ok())
            kern::kprintf("%s: no thread to switch the slave to babysat mode\n", WHO[slave]);
    }
    kern::kprintf("%s: channel at %#lx (%lu KiB, %u caller slots with rings of %u slots, %u "
                  "buffers of %u KiB), callers %s\n",
                  WHO[slave], region.value(), vlibos::CHANNEL_BYTES >> 10, vlibos::CALLERS,
                  vlibos::SLOTS, vlibos::BUFFERS, vlibos::BUFFER_BYTES >> 10, mode_text(mode));
    g_attached[slave] = true;
    return true;
}

/// libos_route=: which slave serves which service (route.h); said on the console with more
/// than one slave.
void set_up_routes(unsigned slaves) {
    Routes routes;
    const char* text = kern::g_cmdline.get("libos_route");
    const char* error = nullptr;
    if (!parse_routes(text, routes, &error))
        kern::kprintf("libos: libos_route=%s: %s; every service goes to slave 0\n", text, error);
    set_routes(routes, slaves);
    if (slaves < 2 && !text) return;
    kern::kprintf("libos: routes:");
    for (size_t i = 0; i < size_t(Service::count); ++i) {
        unsigned to = routes.slave[i];
        kern::kprintf(" %s -> slave %u%s", service_name(Service(i)), to,
                      to < slaves ? "" : " (not running: ENOSYS)");
    }
    kern::kprintf("\n");
}

void libos_init() {
    unsigned slaves = hv::linux_slaves_wanted();
    if (!slaves) return; // no slave, no delegation: the fallback stays unset (-ENOSYS)
    for (unsigned slave = 0; slave < slaves; ++slave)
        if (!attach_slave(slave, mode_of(slave)) && slave == 0) return;
    set_up_routes(slaves);
    hv::linux_slave_stop_with_apps();
    if (const char* c = kern::g_cmdline.get("libos_idle_check"); c && *c) {
        g_idle_check_s = kern::g_cmdline.get_u64("libos_idle_check", 0);
        kern::ThreadOptions o;
        o.name = "libos-idle-check";
        o.cpu = 0;
        o.detached = true;
        kern::background_job_begin(); // the run ends after it has reported
        if (g_idle_check_s == 0 || !kern::thread_create(idle_check, nullptr, o).ok()) {
            kern::background_job_end();
            kern::report_test("slave_idle_exits", false,
                              "libos_idle_check=S needs S > 0 and a thread");
        }
    }
    kern::syscall_set_fallback(syscall_fallback);
    kern::at_run_end(report);
}

} // namespace

KERNEL_LATE_INIT(libos, 25, libos_init);

BOOT_OPTION(libos, "libos=MODE[,MODE]: how delegated calls wait for each slave (doorbell, poll, "
                   "spin, babysat)");
BOOT_OPTION(libos_route, "libos_route=files:N,sockets:N,run:N,nop:N: which slave serves which "
                         "service (default: all slave 0)");
BOOT_OPTION(libos_idle_check, "libos_idle_check=S: count an idle slave's VM exits over S seconds");
BOOT_OPTION(libos_charge, "libos_charge=0: dedicated mode does not charge Linux's time on a call "
                          "to the caller's VCPU (it does by default)");

} // namespace libos
