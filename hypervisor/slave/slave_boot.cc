// `slave=linux` on the kernel command line: after boot, the master gives its last CPU to a
// Linux slave (linux_slave.h) and goes on with its own work on the others. The kernel and the
// initramfs are multiboot2 modules named "slave-kernel" and "slave-initrd" (tools/run.py
// --slave adds them). Options: slave_run=NAME (the init script the slave runs, passed to it as
// vlibos.run=NAME), slave_restarts=N, slave_timeout=S, slave_mem=MiB, slave_verbose,
// slave_append=opt1,opt2=x (more Linux options; commas become spaces), slave_cpuid_offer_xsavec
// (debug: the slave's CPUID offers XSAVEC, for the negative state-integrity test),
// slave_cpuid_offer_rdrand (RDRAND and RDSEED for the slave, e.g. on real hardware).
//
// Reports what happened, for people and tools:
//   [linux] ...                         every line of the slave's console
//   slave: ...                          what the master saw (attempts, how it ended)
//   @@ slave boot=1 end=halted userspace=yes ...   one line per boot, with the exit counts
// The first boot's result stays available (slave_boot.h) for the checks made after the run,
// which are test code: lab 7's and the FPU state-integrity verdicts are
// hypervisor/test/slave_checks.cc.
#include "hypervisor/slave/slave_boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/atomic.h"
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/hypervisor.h"
#include "hypervisor/slave/linux_slave.h"
#include "hypervisor/vm_host.h"
#include "lib/string.h"
#include "platform.h"
#include "sched/thread.h"
#include "test/report.h"

namespace hv {

namespace {

/// The slave's command line: a console on the emulated COM1, no probing of what is not there,
/// the boot parameters of the kit's init (slave/initramfs/init) appended.
constexpr const char* BASE_CMDLINE = "console=ttyS0,115200 nokaslr pci=lastbus=0 io_delay=none "
                                     "tsc=reliable loglevel=5 printk.devkmsg=on panic=-1 "
                                     "mitigations=off msr.allow_writes=on";

/// slave_verbose: every boot message (loglevel 8 comes after loglevel=5: the last one wins), and
/// early printk, which writes to COM1 before the console driver exists.
constexpr const char* VERBOSE_CMDLINE = " loglevel=8 earlyprintk=serial,ttyS0,115200";

struct SlaveJob {
    unsigned id = 0;             ///< SlaveOptions::id
    const char* label = "slave"; ///< "slave", "slave1": its lines' prefix
    SlaveImages images;
    SlaveOptions options;
    const char* run = "demo";
    char run_name[24] = {}; ///< its item of slave_run=
    uint64_t restarts = 0;
    uint64_t timeout_cycles = 0;
    unsigned cpu = 0;
    kern::Atomic<bool> running{false};
    kern::Atomic<bool> done{false};
    char cmdline[512] = {};
};
SlaveJob g_jobs[MAX_SLAVES];
unsigned g_job_count = 0;
bool g_stop_with_apps = false;
/// The first boot's result, kept for the checks after the run (slave_boot.h).
SlaveResult g_first;
bool g_have_first = false;
/// Why the slave did not start, for those checks.
char g_not_started[200] = "the slave did not boot (see the slave: lines)";

const kern::BootModule* find_module(const char* name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < kern::g_boot.module_count; ++i) {
        const kern::BootModule& m = kern::g_boot.modules[i];
        if (strncmp(m.cmdline, name, n) == 0 && (m.cmdline[n] == '\0' || m.cmdline[n] == ' '))
            return &m;
    }
    return nullptr;
}

/// The verdict lines for one boot.
void report_boot(const SlaveJob& j, unsigned boot, const SlaveResult& r) {
    const char* label = j.label;
    const GuestOutcome& o = r.out;
    uint64_t hz = kern::g_clock.tsc_hz ? kern::g_clock.tsc_hz : 1;
    bool up = r.marker_tsc != 0;
    const char* end = r.panicked ? "panic" : guest_end_token(o.end);
    char said[400]; // one kprintf: two slaves may end at once
    size_t n =
        kern::snformat(said, sizeof said, "%s: boot %u ended: %s after %lu ms; %s", label, boot,
                       r.panicked                  ? "Linux panicked"
                       : o.end == GuestEnd::halted ? "Linux halted (poweroff or reboot)"
                       : o.end == GuestEnd::exited ? "stopped by the master"
                                                   : guest_end_name(o.end),
                       (r.end_tsc - r.launch_tsc) * 1000 / hz,
                       up ? "userspace was reached" : "userspace was NOT reached");
    if (r.last_line[0] && n < sizeof said)
        kern::snformat(said + n, sizeof said - n, "; last line: \"%s\"", r.last_line);
    kern::kprintf("%s\n", said);
    if (up)
        kern::kprintf("%s: userspace marker after %lu cycles (%lu ms) and %lu VM exits\n", label,
                      r.marker_tsc - r.launch_tsc, (r.marker_tsc - r.launch_tsc) * 1000 / hz,
                      r.exits_at_marker);
    const SlaveStats& s = r.stats;
    if (s.icr_denied || s.stray_accesses)
        kern::kprintf(
            "%s: contained: %lu IPIs denied, %lu accesses outside its RAM (first at %#lx)\n", label,
            s.icr_denied, s.stray_accesses, s.first_stray_gpa);
    kern::kprintf(
        "%s: longest VM exit handled (its boot CPU): %lu cycles (%s, exit qualification %#lx)\n",
        label, o.longest_exit_cycles, exit_reason_name(o.longest_exit_reason),
        o.longest_exit_qualification);
    char line[320];
    kern::snformat(
        line, sizeof line,
        "%s boot=%u end=%s userspace=%s marker_cycles=%lu run_cycles=%lu exits_boot=%lu "
        "exits=%lu "
        "console_exits=%lu other_io_exits=%lu msr_emulated=%lu msr_gp=%lu icr_allowed=%lu "
        "icr_denied=%lu stray=%lu first_stray=%#lx idle_hlts=%lu nmis=%lu",
        label, boot, end, up ? "yes" : "no", up ? r.marker_tsc - r.launch_tsc : 0,
        r.end_tsc - r.launch_tsc, r.exits_at_marker, o.total_exits, s.console_exits,
        s.other_io_exits, s.msr_emulated, s.msr_gp, s.icr_allowed, s.icr_denied, s.stray_accesses,
        s.first_stray_gpa, s.idle_hlts, o.nmis);
    kern::report_line(line);
    report_exit_counts(j.id ? "linux1" : "linux", o.total_exits, o.exits);
    if (up) // the same, from launch to the userspace marker
        report_exit_counts(j.id ? "linux1-boot" : "linux-boot", r.exits_at_marker, r.boot_exits);
}

void slave_thread(void* arg) {
    SlaveJob& j = *static_cast<SlaveJob*>(arg);
    for (unsigned boot = 1;; ++boot) {
        size_t n = kern::snformat(j.cmdline, sizeof j.cmdline, "%s vlibos.run=%s vlibos.boot=%u%s",
                                  BASE_CMDLINE, j.run, boot,
                                  kern::g_cmdline.has("slave_verbose") ? VERBOSE_CMDLINE : "");
        if (j.options.channel_bytes)
            n += kern::snformat(j.cmdline + n, sizeof j.cmdline - n, " vlibos.channel=%#lx",
                                j.options.ram_bytes);
        if (const char* extra = kern::g_cmdline.get("slave_append");
            extra && *extra && n + 2 < sizeof j.cmdline) {
            j.cmdline[n++] = ' ';
            for (; *extra && n + 1 < sizeof j.cmdline; ++extra)
                j.cmdline[n++] = *extra == ',' ? ' ' : *extra;
            j.cmdline[n] = '\0';
        }
        // Babysat mode (libos=babysat): Linux runs only inside its callers' budgets, so its
        // daemon polls (a parked slave spends nobody's time) instead of blocking on the UART,
        // whose interrupts a parked slave does not get reliably yet: an idle babysat slave
        // with a blocked daemon stopped writing its console. slave_append=vlibos.block=1
        // (earlier on the line) overrides this.
        if (char mode[16]; kern::g_cmdline.get_item("libos", j.id, mode, sizeof mode) &&
                           strcmp(mode, "babysat") == 0)
            n += kern::snformat(j.cmdline + n, sizeof j.cmdline - n, " vlibos.block=0");
        j.options.cmdline = j.cmdline;
        kern::kprintf("%s: booting Linux on CPU %u (boot %u: %lu KiB kernel, %lu KiB initrd, "
                      "%lu MiB RAM)\n",
                      j.label, j.cpu, boot, j.images.kernel_size >> 10, j.images.initrd_size >> 10,
                      j.options.ram_bytes >> 20);
        static SlaveResult results[MAX_SLAVES]; // large: not on this thread's stack
        SlaveResult& res = results[j.id];
        j.running.store(true, kern::MemoryOrder::release);
        auto r = run_linux_slave(j.images, j.options, res);
        j.running.store(false, kern::MemoryOrder::release);
        if (!r.ok()) {
            kern::kprintf("%s: not started: %s; the master goes on without it\n", j.label,
                          r.error().what);
            char line[200];
            kern::snformat(line, sizeof line, "%s boot=%u end=not_started reason=\"%s\"", j.label,
                           boot, r.error().what);
            kern::report_line(line);
            kern::snformat(g_not_started, sizeof g_not_started, "the slave did not start: %s",
                           r.error().what);
            break;
        }
        report_boot(j, boot, res);
        if (j.id == 0 && !g_have_first) {
            g_first = res;
            g_have_first = true;
        }
        bool died = res.panicked || res.out.end != GuestEnd::halted;
        if (!died || res.out.end == GuestEnd::exited || boot > j.restarts) break;
        kern::kprintf("%s: restarting it (%u of %lu restarts)\n", j.label, boot, j.restarts);
    }
    if (kern::this_cpu().stray_vectors)
        kern::kprintf("%s: CPU %u back to the master (%lu stray vectors acknowledged)\n", j.label,
                      j.cpu, kern::this_cpu().stray_vectors);
    j.done.store(true, kern::MemoryOrder::release);
    kern::background_job_end();
}

/// Stops a slave that runs past slave_timeout (its CPU does not come back by itself).
void watchdog_thread(void* arg) {
    SlaveJob& j = *static_cast<SlaveJob*>(arg);
    uint64_t deadline = kern::cpu::rdtsc() + j.timeout_cycles;
    for (uint64_t now = kern::cpu::rdtsc();
         !j.done.load(kern::MemoryOrder::acquire) && now < deadline; now = kern::cpu::rdtsc()) {
        uint64_t next = now + kern::g_clock.tsc_hz / 10; // look again every 100 ms
        kern::sleep_until(next < deadline ? next : deadline);
    }
    if (!j.done.load(kern::MemoryOrder::acquire) && linux_slave_request_stop(j.id))
        kern::kprintf("%s: still running after slave_timeout=%lu s: stopping it\n", j.label,
                      j.timeout_cycles / kern::g_clock.tsc_hz);
    kern::background_job_end();
}

void slave_hook() {
    const char* which = kern::g_cmdline.get("slave");
    if (!which) return;
    if (strcmp(which, "linux") != 0) {
        kern::kprintf("slave: unknown slave=%s (only slave=linux exists)\n", which);
        return;
    }
    auto refuse = [](const char* why) {
        kern::kprintf("slave: not started: %s\n", why);
        char line[200];
        kern::snformat(line, sizeof line, "slave boot=1 end=not_started reason=\"%s\"", why);
        kern::report_line(line);
        kern::snformat(g_not_started, sizeof g_not_started, "the slave did not start: %s", why);
    };
    if (!hypervisor_available())
        return refuse("no VMX on this machine (run it in Bochs, or QEMU with KVM)");
    if (kern::g_cpus_online < 2)
        return refuse("the slave needs a CPU of its own and only one is online (cpus=2 or more)");
    const kern::BootModule* k = find_module("slave-kernel");
    const kern::BootModule* i = find_module("slave-initrd");
    if (!k) return refuse("no boot module named slave-kernel (tools/run.py --slave adds it)");
    if (!i) return refuse("no boot module named slave-initrd (tools/run.py --slave adds it)");
    if (uint64_t n = kern::g_cmdline.get_u64("slaves", 1); n == 0 || n > MAX_SLAVES)
        kern::kprintf("slave: slaves=%s: from 1 to %u slaves can run; starting 1\n",
                      kern::g_cmdline.get("slaves"), MAX_SLAVES);
    unsigned count = linux_slaves_wanted();
    unsigned next_cpu = kern::g_cpus_online - 1; // the first slave's first CPU: the last one
    for (unsigned id = 0; id < count; ++id) {
        SlaveJob& j = g_jobs[id];
        j.id = id;
        j.label = id ? "slave1" : "slave";
        j.options.id = id;
        j.images =
            SlaveImages{reinterpret_cast<const uint8_t*>(k->start), size_t(k->end - k->start),
                        reinterpret_cast<const uint8_t*>(i->start), size_t(i->end - i->start)};
        j.options.ram_bytes = kern::g_cmdline.get_u64("slave_mem", 64) << 20;
        // The first slave may have several CPUs; every other one has one.
        j.options.cpus = id == 0 ? unsigned(kern::g_cmdline.get_u64("slave_cpus", 1)) : 1;
        if (kern::g_cmdline.get_item("slave_run", id, j.run_name, sizeof j.run_name) &&
            j.run_name[0])
            j.run = j.run_name; // per slave: slave_run=serve,panicserve
        j.restarts = kern::g_cmdline.get_u64("slave_restarts", 0);
        j.options.cpuid_offer_xsavec = kern::g_cmdline.has("slave_cpuid_offer_xsavec");
        if (j.options.cpuid_offer_xsavec)
            kern::kprintf("%s: slave_cpuid_offer_xsavec: CPUID offers XSAVEC, which this Bochs "
                          "gets wrong (negative tests only)\n",
                          j.label);
        j.options.cpuid_offer_rdrand = kern::g_cmdline.has("slave_cpuid_offer_rdrand");
        j.timeout_cycles = kern::g_cmdline.get_u64("slave_timeout", 300) * kern::g_clock.tsc_hz;
        if (next_cpu < j.options.cpus) { // the master keeps CPU 0
            kern::kprintf("%s: not started: no CPU left for it (%u online, the master keeps CPU "
                          "0)\n",
                          j.label, kern::g_cpus_online);
            break;
        }
        j.cpu = next_cpu;
        next_cpu -= j.options.cpus;
        kern::ThreadOptions opts;
        opts.name = id ? "linux-slave1" : "linux-slave";
        opts.cpu = j.cpu;
        opts.detached = true;
        opts.stack_size = 32768;
        kern::background_job_begin();
        if (!kern::thread_create(slave_thread, &j, opts).ok()) {
            kern::background_job_end();
            return refuse("no memory for its thread");
        }
        g_job_count = id + 1;
        if (j.timeout_cycles) {
            kern::ThreadOptions w;
            w.name = "slave-watchdog";
            w.cpu = 0;
            w.detached = true;
            kern::background_job_begin();
            if (!kern::thread_create(watchdog_thread, &j, w).ok()) kern::background_job_end();
        }
    }
}

void stop_if_serving() {
    for (unsigned id = 0; id < g_job_count; ++id)
        if (g_stop_with_apps && g_jobs[id].running.load(kern::MemoryOrder::acquire) &&
            linux_slave_request_stop(id))
            kern::kprintf("%s: the applications have ended: stopping the slave\n",
                          g_jobs[id].label);
}

} // namespace

const SlaveResult* linux_slave_first_boot() {
    return g_have_first ? &g_first : nullptr;
}

const char* linux_slave_not_booted_reason() {
    return g_not_started;
}

const kern::BootModule* linux_slave_module(const char* name) {
    return find_module(name);
}

void linux_slave_share(uint64_t hpa, uint64_t bytes, void (*on_doorbell)(), unsigned slave) {
    if (slave >= MAX_SLAVES) return;
    g_jobs[slave].options.channel_hpa = hpa;
    g_jobs[slave].options.channel_bytes = bytes;
    g_jobs[slave].options.on_doorbell = on_doorbell;
}

bool linux_slave_running(unsigned slave) {
    return slave < MAX_SLAVES && g_jobs[slave].running.load(kern::MemoryOrder::acquire);
}

unsigned linux_slaves_wanted() {
    const char* slave = kern::g_cmdline.get("slave");
    if (!slave || strcmp(slave, "linux") != 0) return 0;
    uint64_t n = kern::g_cmdline.get_u64("slaves", 1);
    return n >= 1 && n <= MAX_SLAVES ? unsigned(n) : 1;
}

unsigned linux_slave_count() {
    return g_job_count;
}

void linux_slave_stop_with_apps() {
    if (!g_stop_with_apps) kern::at_apps_end(stop_if_serving);
    g_stop_with_apps = true;
}

KERNEL_LATE_INIT(linux_slave, 30, slave_hook);

BOOT_OPTION(slave, "slave=linux: boot the Linux slave on the last CPU (hypervisor/slave)");
BOOT_OPTION(slave_run, "slave_run=NAME[,NAME]: the slave's init runs /etc/vlibos/NAME.sh (default "
                       "demo); one per slave with slaves=2");
BOOT_OPTION(slave_restarts, "slave_restarts=N: boot the slave again after it dies, up to N times");
BOOT_OPTION(slave_timeout, "slave_timeout=S: stop the slave after S seconds (default 300)");
BOOT_OPTION(slave_mem, "slave_mem=MiB: the slave's RAM (default 64)");
BOOT_OPTION(slaves, "slaves=N: run N Linux slaves at once (1 or 2), each on its own CPU, below "
                    "the previous one's (default 1)");
BOOT_OPTION(slave_cpus, "slave_cpus=N: the slave's CPUs, the last N (default 1, at most 4)");
BOOT_OPTION(slave_verbose, "slave_verbose: all of Linux's boot messages, early printk included");
BOOT_OPTION(slave_append,
            "slave_append=a=1,b: more Linux command-line options (commas become spaces)");
BOOT_OPTION(slave_cpuid_offer_xsavec,
            "slave_cpuid_offer_xsavec: debug: the slave's CPUID offers XSAVEC, which Bochs 2.7 "
            "gets wrong (negative tests of the FPU state-integrity checks only)");
BOOT_OPTION(slave_cpuid_offer_rdrand,
            "slave_cpuid_offer_rdrand: the slave's CPUID offers RDRAND and RDSEED (off: Bochs "
            "answers them from the wall clock, and runs would not repeat)");
BOOT_DATA_MODULE(slave_kernel, "slave-kernel", "the Linux slave's kernel, a bzImage");
BOOT_DATA_MODULE(slave_initrd, "slave-initrd", "the Linux slave's initramfs");

} // namespace hv
