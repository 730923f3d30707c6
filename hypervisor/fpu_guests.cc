// `guests=fpu` on the kernel command line: the FPU state-integrity runs (make test steps
// slave-fpu-integrity-*). A thread on CPU `guests_cpu=N` (default: the last CPU, the slave's)
// runs the test guest guest64_fpu.S again and again while the Linux slave runs; it keeps known
// values in its x87/SSE/AVX registers across VM exits and compares them. With libos=babysat a
// second thread on the slave's CPU runs the parked slave in slices (hv::linux_slave_babysit),
// so the two guests take turns on one CPU, mid-run, at the master's timer: every turn saves one
// guest's registers and restores the other's (guest_fpu.h). In the slave, vlibos-fpucheck
// checks its processes' registers (slave_run=fpu).
//
// At the end of the run:
//   @@ guests_fpu cpu=1 runs=R rounds=N mismatches=M saves=S restores=T
//   @@ test=guest_fpu_state_intact result=pass|fail reason="..."   (its registers, every round)
//   @@ test=guest_fpu_runs_complete result=...   (every run ended with its report)
//   @@ test=slave_xsave_features_as_offered result=...   (slave_run=fpu: vlibos-xsavecheck)
//   @@ test=slave_fpu_state_intact result=...             (slave_run=fpu: vlibos-fpucheck)
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/arch/cpuid_bits.h"
#include "core/atomic.h"
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/arch/x86_64/xsave_insn.h"
#include "hypervisor/core/xsave_layout.h"
#include "hypervisor/guest.h"
#include "hypervisor/hypervisor.h"
#include "hypervisor/slave/linux_slave.h"
#include "hypervisor/vm_host.h"
#include "lib/string.h"
#include "platform.h"
#include "sched/thread.h"
#include "test/report.h"

extern "C" const uint8_t guest_fpu_start[], guest_fpu_end[];

namespace hv {

namespace {

struct Tally {
    unsigned cpu = 0;
    uint64_t runs = 0, rounds = 0, mismatches = 0, first = 0, saves = 0, restores = 0;
    uint64_t failed_runs = 0; // a run that did not end with its report (crash, entry failure)
    char why[120] = {};       // the first failed run's end
    bool babysat = false;     // a sitter thread ran the slave on the same CPU
    uint64_t babysits = 0;    // its slices
};
Tally g_tally;
kern::Atomic<bool> g_slave_seen{false};

uint64_t ms(uint64_t n) {
    return kern::g_clock.tsc_hz / 1000 * n;
}

/// Wait (up to 60 s) for the slave to start; false if it never does.
bool wait_for_slave() {
    uint64_t until = kern::cpu::rdtsc() + ms(60000);
    while (!linux_slave_running() && kern::cpu::rdtsc() < until)
        kern::sleep_until(kern::cpu::rdtsc() + ms(10));
    return linux_slave_running();
}

void guest_thread(void*) {
    Tally& t = g_tally;
    if (wait_for_slave()) {
        g_slave_seen.store(true, kern::MemoryOrder::release);
        // On the slave's CPU only once it is parked: until then the slave thread sets up its
        // VMCS there with interrupts on, and a guest run in between would change the current VMCS.
        while (t.cpu == kern::g_cpus_online - 1 && linux_slave_running() &&
               !linux_slave_babysat_ready())
            kern::sleep_until(kern::cpu::rdtsc() + ms(5));
        while (linux_slave_running()) {
            GuestConfig cfg;
            cfg.name = "fpu";
            cfg.image = guest_fpu_start;
            cfg.image_size = size_t(guest_fpu_end - guest_fpu_start);
            cfg.ram_bytes = 4 << 20;
            cfg.use_ept = true;
            cfg.quiet = true;
            cfg.silent = true;
            GuestOutcome o;
            auto r = run_guest(cfg, o);
            ++t.runs;
            t.saves += o.fpu_saves;
            t.restores += o.fpu_restores;
            if (!r.ok() || !o.reported || o.end != GuestEnd::halted) {
                if (!t.failed_runs++)
                    kern::snformat(t.why, sizeof t.why, "run %lu ended %s (%s)", t.runs,
                                   r.ok() ? guest_end_token(o.end) : "unlaunched",
                                   r.ok() ? "no report" : r.error().what);
                if (!r.ok()) break;
            } else {
                t.rounds += o.report[0];
                if (o.report[1] && !t.mismatches) t.first = o.report[2];
                t.mismatches += o.report[1];
            }
            kern::sleep_until(kern::cpu::rdtsc() + ms(2));
        }
    }
    kern::background_job_end();
}

/// Babysat mode: run the parked slave on this CPU in slices, while the guest thread shares it.
void sitter_thread(void*) {
    if (wait_for_slave()) {
        while (linux_slave_running() && !linux_slave_babysat_ready())
            kern::sleep_until(kern::cpu::rdtsc() + ms(5));
        while (linux_slave_running() && linux_slave_cpu() == kern::this_cpu().index) {
            BabysitResult r = linux_slave_babysit(ms(4));
            ++g_tally.babysits;
            g_tally.babysat = true;
            if (r.end == BabysitEnd::stopped || r.end == BabysitEnd::unavailable) break;
            if (r.end == BabysitEnd::idle) // Linux waits for its timer: so do we (the guest runs)
                kern::sleep_until(r.idle_until ? r.idle_until : kern::cpu::rdtsc() + ms(1));
            else if (r.end == BabysitEnd::budget)
                kern::thread_yield();
        }
    }
    kern::background_job_end();
}

/// Which register a first-mismatch word of the guest (see guest64_fpu.S) names.
void describe_first(uint64_t first, char* out, size_t n) {
    uint64_t off = first & 0xFFFF, round = (first >> 16) - 1;
    if (off < 512)
        kern::snformat(out, n, "YMM%lu bits %s in round %lu", off / 32,
                       (off % 32) < 16 ? "127:0" : "255:128", round);
    else if (off < 576)
        kern::snformat(out, n, "x87 value %lu in round %lu", (off - 512) / 8 + 1, round);
    else
        kern::snformat(out, n, "FCW/MXCSR in round %lu", round);
}

void report(const kern::RunSummary&) {
    Tally& t = g_tally;
    char line[250];
    kern::snformat(
        line, sizeof line,
        "guests_fpu cpu=%u runs=%lu rounds=%lu mismatches=%lu saves=%lu restores=%lu babysits=%lu",
        t.cpu, t.runs, t.rounds, t.mismatches, t.saves, t.restores, t.babysits);
    kern::report_line(line);
    char why[200] = "";
    bool shared = t.babysat;
    if (!g_slave_seen.load(kern::MemoryOrder::acquire))
        kern::snformat(why, sizeof why, "the slave never ran: nothing to share the CPU with");
    else if (t.runs == 0 || t.rounds == 0)
        kern::snformat(why, sizeof why, "the FPU test guest did not run");
    else if (t.mismatches) {
        char what[80];
        describe_first(t.first, what, sizeof what);
        kern::snformat(why, sizeof why, "%lu register mismatches in %lu rounds; the first: %s",
                       t.mismatches, t.rounds, what);
    } else if (shared && t.saves == 0)
        kern::snformat(
            why, sizeof why,
            "the slave never took the CPU between the guest's entries: nothing was tested");
    kern::report_test("guest_fpu_state_intact", why[0] == 0, why);
    char runs_why[200];
    kern::snformat(runs_why, sizeof runs_why,
                   "%lu of %lu runs did not end with their report; the first: %s", t.failed_runs,
                   t.runs, t.why);
    kern::report_test("guest_fpu_runs_complete", t.runs > 0 && t.failed_runs == 0,
                      t.runs ? runs_why : "no run");
}

/// The host CPU's CPUID 0xD sizes against the ones computed from its components (for the
/// record: the slave gets the policy's own, slave_policy.cc).
void print_host_xsave_sizes() {
    using namespace xsave;
    if (!(kern::cpu::cpuid(1).ecx & kern::x86::CPUID_1_ECX_XSAVE)) return;
    kern::cpu::CpuidResult d0 = kern::cpu::cpuid(0xD, 0), d1 = kern::cpu::cpuid(0xD, 1);
    uint64_t supported = (uint64_t(d0.edx) << 32) | d0.eax, xcr0 = xsave_insn::xgetbv(0);
    Component c[MAX_COMPONENTS] = {};
    for (unsigned i = 2; i < MAX_COMPONENTS; ++i)
        if ((supported >> i) & 1) {
            kern::cpu::CpuidResult d = kern::cpu::cpuid(0xD, i);
            c[i] = Component{d.eax, d.ebx, (d.ecx & CPUID_DI_ALIGN64) != 0};
        }
    kern::kprintf("fpu: host CPUID 0xD with XCR0 %#lx: standard size %u (computed %u), all "
                  "components %u (computed "
                  "%u), compacted %u (computed %u); CPUID.(0DH,1):EAX %#x\n",
                  xcr0, d0.ebx, standard_size(xcr0, c), d0.ecx, standard_size(supported, c), d1.ebx,
                  compacted_size(xcr0, c), d1.eax);
    // The same with the slave's XCR0 (x87, SSE, AVX) loaded for a moment, interrupts off.
    uint64_t guest = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
    {
        kern::cpu::IrqSave irq;
        xsetbv(guest);
        d0 = kern::cpu::cpuid(0xD, 0), d1 = kern::cpu::cpuid(0xD, 1);
        xsetbv(xcr0);
    }
    kern::kprintf("fpu: host CPUID 0xD with XCR0 %#lx: standard size %u (computed %u), compacted "
                  "%u (computed %u)\n",
                  guest, d0.ebx, standard_size(guest, c), d1.ebx, compacted_size(guest, c));
}

void start(const char* name, void (*fn)(void*), unsigned cpu) {
    kern::ThreadOptions o;
    o.name = name;
    o.cpu = cpu;
    o.detached = true;
    kern::background_job_begin();
    if (!kern::thread_create(fn, nullptr, o).ok()) {
        kern::kprintf("fpu: no thread for %s\n", name);
        kern::background_job_end();
    }
}

void fpu_guests_hook() {
    const char* g = kern::g_cmdline.get("guests");
    if (!g || strcmp(g, "fpu") != 0) return;
    if (!hypervisor_available()) {
        kern::kprintf("fpu: skipped, no VMX on this machine\n");
        return;
    }
    print_host_xsave_sizes();
    unsigned last = kern::g_cpus_online - 1, cpu = last;
    if (const char* c = kern::g_cmdline.get("guests_cpu"); c && *c >= '0' && *c <= '9')
        cpu = unsigned(*c - '0');
    g_tally.cpu = cpu < kern::g_cpus_online ? cpu : last;
    kern::at_run_end(report);
    start("fpu-guest", guest_thread, g_tally.cpu);
    const char* libos = kern::g_cmdline.get("libos");
    if (libos && strcmp(libos, "babysat") == 0) start("fpu-sitter", sitter_thread, last);
}

} // namespace

KERNEL_LATE_INIT(fpu_guests, 40, fpu_guests_hook);

} // namespace hv
