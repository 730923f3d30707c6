// `guests=demo` on the kernel command line: after boot, run every test guest once and print
// its exit statistics and an isolation verdict per hostile guest (`make demo` does this in
// Bochs). Also `test=bench` measures exit round trips (KTEST(bench, ...) below).
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/guest.h"
#include "hypervisor/hypervisor.h"
#include "lib/string.h"
#include "platform.h"
#include "sched/thread.h"
#include "sched/vcpu.h"
#include "test/ktest.h"
#include "test/report.h"

#define GUEST_IMAGE(name) extern "C" const uint8_t name##_start[], name##_end[];
GUEST_IMAGE(guest64_hello)
GUEST_IMAGE(guest_attack_write)
GUEST_IMAGE(guest_attack_read)
GUEST_IMAGE(guest_attack_io)
GUEST_IMAGE(guest_spin)
GUEST_IMAGE(guest_triple_fault)
GUEST_IMAGE(guest_bench)
GUEST_IMAGE(guest_real16)
GUEST_IMAGE(guest_prot32)

namespace hv {

namespace {
struct DemoGuest {
    const char* name;     // shown in the verdict
    const uint8_t* start; // image
    const uint8_t* end;
    bool ept;           // run under EPT
    GuestMode mode;     // CPU mode at launch
    bool hostile;       // an attack: its verdict is "contained" or "ESCAPED"
    GuestEnd expected;  // how it must end
    const char* attack; // what it tries
};

/// Run every test guest once and print an `@@ guest` verdict line for each.
void demo() {
    const DemoGuest guests[] = {
        {"hello", guest64_hello_start, guest64_hello_end, false, GuestMode::long64, false,
         GuestEnd::halted, "nothing (lab 5: no EPT)"},
        {"hello-ept", guest64_hello_start, guest64_hello_end, true, GuestMode::long64, false,
         GuestEnd::halted, "nothing (under EPT)"},
        {"real-mode", guest_real16_start, guest_real16_end, true, GuestMode::real16, false,
         GuestEnd::halted, "nothing (real mode, unrestricted guest)"},
        {"protected-32", guest_prot32_start, guest_prot32_end, true, GuestMode::protected32, false,
         GuestEnd::halted, "nothing (32-bit protected mode)"},
        {"attack-write", guest_attack_write_start, guest_attack_write_end, true, GuestMode::long64,
         true, GuestEnd::ept_violation, "writes every page above its RAM"},
        {"attack-read", guest_attack_read_start, guest_attack_read_end, true, GuestMode::long64,
         true, GuestEnd::ept_violation, "reads the master's LAPIC page"},
        {"attack-io", guest_attack_io_start, guest_attack_io_end, true, GuestMode::long64, true,
         GuestEnd::halted, "shutdown ports, the PIC, COM1, IA32_EFER, IA32_APIC_BASE"},
        {"spin", guest_spin_start, guest_spin_end, true, GuestMode::long64, true,
         GuestEnd::budget_exhausted, "spins forever, interrupts off"},
        {"triple-fault", guest_triple_fault_start, guest_triple_fault_end, true, GuestMode::long64,
         true, GuestEnd::triple_fault, "triple-faults"},
    };
    for (const DemoGuest& d : guests) {
        GuestConfig cfg;
        cfg.name = d.name;
        cfg.image = d.start;
        cfg.image_size = size_t(d.end - d.start);
        cfg.ram_bytes = 4 << 20;
        cfg.use_ept = d.ept;
        cfg.mode = d.mode;
        if (d.expected == GuestEnd::budget_exhausted) {
            cfg.max_guest_cycles = kern::g_clock.tsc_hz / 100;
            cfg.preemption_timer = uint32_t(cfg.max_guest_cycles / 10);
        }
        GuestOutcome o;
        kern::kprintf("hypervisor demo: guest '%s' %s\n", d.name, d.attack);
        auto r = run_guest(cfg, o);
        char line[160];
        if (!r.ok()) {
            kern::snformat(line, sizeof line, "guest name=%s launched=no reason=\"%s\"", d.name,
                           r.error().what);
        } else {
            bool as_expected = o.end == d.expected;
            kern::snformat(line, sizeof line,
                           "guest name=%s end=%s detail=%#lx exits=%lu verdict=%s", d.name,
                           guest_end_token(o.end), o.detail, o.total_exits,
                           d.hostile ? (as_expected ? "contained" : "ESCAPED")
                                     : (as_expected ? "ok" : "FAILED"));
        }
        kern::report_line(line);
    }
}

/// The late-init hook: runs demo() when the command line says `guests=demo` and VMX is on.
/// The demo runs in a thread of its own on a budgeted VCPU (30% of CPU 0 every 40 ms, so a
/// lower rate-monotonic priority than rtlat's 10 and 20 ms threads): the guests' time is that
/// VCPU's time, so the master's real-time threads (rtlat, started right after) keep their
/// deadlines while the guests run, the spinning one included.
void demo_thread(void*) {
    demo();
    kern::background_job_end();
}

void demo_hook() {
    const char* g = kern::g_cmdline.get("guests");
    if (!g || strcmp(g, "demo") != 0) return;
    if (!hypervisor_available()) {
        kern::kprintf("hypervisor demo: skipped, no VMX on this machine\n");
        return;
    }
    uint64_t period = kern::g_clock.tsc_hz / 25;
    auto vcpu = kern::vcpu_create(0, period * 3 / 10, period, "guests");
    kern::ThreadOptions opts;
    opts.name = "guests";
    opts.vcpu = vcpu.ok() ? vcpu.value() : nullptr; // refused: run as a background thread
    opts.detached = true;
    kern::background_job_begin();
    if (!kern::thread_create(demo_thread, nullptr, opts).ok()) {
        kern::background_job_end();
        demo(); // no thread: run here
    }
}
} // namespace

KERNEL_LATE_INIT(hypervisor_demo, 20, demo_hook);

} // namespace hv

KTEST(bench, vm_exit_round_trips) {
    if (!hv::hypervisor_available()) return; // QEMU without KVM: nothing to measure
    hv::GuestConfig cfg;
    cfg.name = "bench";
    cfg.image = guest_bench_start;
    cfg.image_size = size_t(guest_bench_end - guest_bench_start);
    hv::GuestOutcome o;
    cfg.quiet = true;
    KREQUIRE(hv::run_guest(cfg, o).ok());
    KREQUIRE(o.reported);
    kern::report_metric("cpuid_exit_round_trip", o.report[0], "cycles");
    kern::report_metric("vmcall_exit_round_trip", o.report[1], "cycles");
}
