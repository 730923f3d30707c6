// libos's entry into the master: with slave=linux on the command line, a late-init hook (before
// the slave boots) sets up the delegation channel, shares it with the slave, and registers the
// syscall fallback; at the end of the run it reports the calls.
//
//   libos=doorbell (default) | poll | spin | babysat   how a caller waits for its response
//
// The slave's init starts vlibosd when the kernel command line has vlibos.channel=, and the
// master stops the slave once its applications have ended (slave_run=serve keeps Linux up).
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/core/hypercall.h"
#include "hypervisor/slave/linux_slave.h"
#include "libos/master/delegate.h"
#include "libos/master/syscalls.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "platform.h"
#include "proc/process.h"
#include "sched/io_vcpu.h"
#include "sched/thread.h"
#include "arch/x86_64/cpu.h"
#include "test/report.h"

namespace libos {

static_assert(vlibos::HC_DOORBELL_NR == hv::HC_DOORBELL, "the daemon and the hypervisor disagree on the doorbell");

namespace {

kern::IoVcpu* g_io = nullptr;

void report(const kern::RunSummary&) {
    DelegateStats s = delegate_stats();
    uint64_t avg = s.calls ? s.total_cycles / s.calls : 0;
    kern::kprintf("libos: %lu delegated calls (round trip min %lu avg %lu max %lu cycles), %lu timeouts, %lu "
                  "refused (no daemon), %lu bad responses, %lu stale, %lu doorbells\n",
                  s.calls, s.calls ? s.min_cycles : 0, avg, s.max_cycles, s.timeouts, s.not_connected, s.rejected,
                  s.stale, s.doorbells);
    char line[240];
    kern::snformat(line, sizeof line,
                   "libos calls=%lu min_cycles=%lu avg_cycles=%lu max_cycles=%lu timeouts=%lu not_connected=%lu "
                   "rejected=%lu stale=%lu doorbells=%lu",
                   s.calls, s.calls ? s.min_cycles : 0, avg, s.max_cycles, s.timeouts, s.not_connected, s.rejected,
                   s.stale, s.doorbells);
    kern::report_line(line);
    if (g_io) {
        kern::IoVcpuStats io = kern::io_vcpu_stats(*g_io);
        kern::kprintf("libos: doorbell I/O VCPU (%lu of every %lu cycles): %lu bottom halves posted, %lu run, %lu "
                      "dropped (queue full), %lu wake-ups, %lu cycles consumed\n",
                      io.budget, io.period, io.posted, io.run, io.dropped, io.wakeups, io.consumed);
        kern::snformat(line, sizeof line,
                       "libos_io posted=%lu run=%lu dropped=%lu wakeups=%lu consumed=%lu budget=%lu period=%lu",
                       io.posted, io.run, io.dropped, io.wakeups, io.consumed, io.budget, io.period);
        kern::report_line(line);
    }
    if (s.babysits)
        kern::kprintf("libos: babysat: %lu runs of the slave, %lu ended idle (callers slept %lu cycles for its "
                      "timers), %lu at the end of a budget\n",
                      s.babysits, s.babysit_idle, s.babysit_idle_cycles, s.babysit_budget);
}

/// Babysat mode: once vlibosd is up, ask the hypervisor to park the slave (from CPU 0: the
/// slave's CPU belongs to the slave until then, so none of its threads can ask).
void babysat_switcher(void*) {
    uint64_t ms = kern::g_clock.tsc_hz / 1000;
    while (!daemon_up() || !hv::linux_slave_babysat_ready()) {
        if (daemon_up())
            hv::linux_slave_request_babysat();
        kern::sleep_until(kern::cpu::rdtsc() + (daemon_up() ? ms : 10 * ms));
        if (!hv::linux_slave_running() && daemon_up())
            return; // the slave ended first
    }
}

void libos_init() {
    const char* slave = kern::g_cmdline.get("slave");
    if (!slave || strcmp(slave, "linux") != 0)
        return; // no slave, no delegation: the fallback stays unset (-ENOSYS)
    const char* m = kern::g_cmdline.get("libos");
    WaitMode mode = !m ? WaitMode::doorbell
                    : strcmp(m, "poll") == 0 ? WaitMode::poll
                    : strcmp(m, "doorbell") == 0 ? WaitMode::doorbell
                    : strcmp(m, "spin") == 0 ? WaitMode::spin
                    : strcmp(m, "babysat") == 0 ? WaitMode::babysat
                                             : WaitMode::poll;
    auto region = kern::frame_alloc_contiguous(vlibos::CHANNEL_BYTES / kern::PAGE_SIZE, 2 << 20);
    if (!region.ok()) {
        kern::kprintf("libos: no 2 MiB for the channel: delegation is off\n");
        return;
    }
    auto* p = reinterpret_cast<uint8_t*>(region.value());
    memset(p, 0, vlibos::CHANNEL_BYTES);
    channel_attach(p, mode, [] { return hv::linux_slave_running(); });
    hv::linux_slave_share(region.value(), vlibos::CHANNEL_BYTES, mode == WaitMode::doorbell ? on_doorbell : nullptr);
    // (babysat: the doorbell is an exit the caller itself takes; nobody needs waking)
    hv::linux_slave_stop_with_apps();
    if (mode == WaitMode::doorbell) {
        // The doorbell's bottom halves on an I/O VCPU of CPU 0: 10% every 20 ms (a period longer
        // than the shortest real-time ones, so that it never delays them by rate-monotonic order).
        auto io = kern::io_vcpu_create(0, 100000, kern::g_clock.tsc_hz / 50, "doorbell-io");
        if (io.ok()) {
            g_io = io.value();
            set_doorbell_io_vcpu(g_io);
        } else {
            kern::kprintf("libos: no I/O VCPU for the doorbell (%s): bottom halves run in the top half\n",
                          io.error().what);
        }
    }
    if (mode == WaitMode::babysat) {
        kern::ThreadOptions o;
        o.name = "babysat-switch";
        o.cpu = 0;
        o.detached = true;
        if (!kern::thread_create(babysat_switcher, nullptr, o).ok())
            kern::kprintf("libos: no thread to switch the slave to babysat mode\n");
    }
    kern::syscall_set_fallback(syscall_fallback);
    kern::at_run_end(report);
    kern::kprintf("libos: channel at %#lx (%lu KiB, %u slots, %u buffers of %u KiB), callers %s\n", region.value(),
                  vlibos::CHANNEL_BYTES >> 10, vlibos::SLOTS, vlibos::BUFFERS, vlibos::BUFFER_BYTES >> 10,
                  mode == WaitMode::doorbell  ? "sleep until the slave's doorbell"
                  : mode == WaitMode::spin    ? "spin"
                  : mode == WaitMode::babysat ? "run the slave themselves, inside their budgets (babysat)"
                                              : "poll");
}

} // namespace

KERNEL_LATE_INIT(libos, 25, libos_init);

} // namespace libos
