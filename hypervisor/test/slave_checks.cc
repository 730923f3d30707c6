// The verdicts on the Linux slave's first boot (slave=linux, hypervisor/slave/slave_boot.cc),
// made when the run ends, after the applications (rtlat) and the slave itself:
//   test=lab7        lab 7's checks: Linux reached userspace, ran its script, and every attack
//                    of slave/initramfs/etc/vlibos/lab7.sh was contained while rtlat held
//   slave_run=fpu... the FPU state-integrity checks (slave/initramfs/etc/vlibos/fpu.sh)
// They print `@@ test=... result=...` lines for the grader and make test; the slave's own code
// only reports what happened (`@@ slave boot=...`).
#include "hooks.h"
#include "hypervisor/slave/slave_boot.h"
#include "lib/string.h"
#include "platform.h"
#include "test/report.h"

namespace hv {

namespace {

/// Stands in for a first boot that never happened (all zero: nothing seen, no marker).
const SlaveResult NO_BOOT{};

/// What the checks of a run need from the slave's first boot.
struct FirstBoot {
    const SlaveResult* first = linux_slave_first_boot();
    const SlaveResult& r = first ? *first : NO_BOOT;
    bool up = first && r.marker_tsc;
    const char* not_up = first ? "Linux did not reach userspace (see the slave: and [linux] lines)"
                               : linux_slave_not_booted_reason();
    /// Whether Linux printed the line that `w` watches for.
    bool saw(SlaveWatch w) const { return first && (r.seen >> w) & 1; }
};

/// test=lab7: the checks of the slave's first boot, once the applications (rtlat) have ended.
void lab7_checks(const kern::RunSummary& run) {
    FirstBoot b;
    const SlaveResult& r = b.r;
    bool up = b.up;
    const char* not_up = b.not_up;
    auto saw = [&](SlaveWatch w) { return b.saw(w); };
    kern::report_test("linux_reaches_userspace", up, not_up);
    kern::report_test("linux_runs_its_script_and_halts",
                      up && saw(WATCH_DONE) && r.out.end == GuestEnd::halted && !r.panicked,
                      !up                ? not_up
                      : r.panicked       ? "Linux panicked"
                      : !saw(WATCH_DONE) ? "init did not finish its script"
                                         : "Linux did not halt by itself");
    // The two IPI checks each need the filter to tell the slave's own CPUs from the master's: a
    // filter that denies everything fails both, and so does one that allows everything.
    bool own_passed = r.stats.icr_allowed >= 1,
         attack_denied = saw(WATCH_IPI) && r.stats.icr_denied >= 5;
    kern::report_test(
        "ipi_to_own_cpu_allowed", up && own_passed && attack_denied,
        !up           ? not_up
        : !own_passed ? "the self-IPI through the ICR was not performed (check_icr_write denied it)"
                      : "the slave's own IPIs passed, but so did the attack's IPIs to the master's "
                        "CPUs (or the ipi attack did not run)");
    kern::report_test(
        "ipi_to_master_cpus_denied", up && attack_denied && own_passed && r.escaped_lines == 0,
        !up               ? not_up
        : !saw(WATCH_IPI) ? "the ipi attack did not run"
        : !attack_denied  ? "not every INIT/SIPI/NMI/IPI to the master was denied"
        : !own_passed     ? "the attack's IPIs were denied, but so were the slave's own (a filter "
                            "that denies everything)"
                          : "an attack program printed ESCAPED: something got through");
    kern::report_test("msr_attacks_contained",
                      up && saw(WATCH_MSR) && r.stats.msr_gp >= 3 && r.escaped_lines == 0,
                      !up ? not_up : "an MSR attack was not refused");
    kern::report_test("devmem_beyond_ram_contained",
                      up && saw(WATCH_DEVMEM) && r.stats.stray_accesses >= 1 &&
                          r.escaped_lines == 0,
                      !up                  ? not_up
                      : !saw(WATCH_DEVMEM) ? "the devmem attack did not finish"
                                           : "the devmem attack saw data outside the slave's RAM");
    bool covered = up && run.apps_end_tsc > r.marker_tsc;
    kern::report_test(
        "rtlat_holds_while_linux_boots_and_runs",
        up && saw(WATCH_BUSY) && run.apps_started >= 1 && run.apps_failed == 0 && covered,
        !up                     ? not_up
        : run.apps_started == 0 ? "rtlat did not run"
        : run.apps_failed
            ? "rtlat missed its bound or a deadline while Linux ran (see its @@ lines)"
        : !covered ? "rtlat ended before Linux reached userspace: run it longer"
                   : "the busy workload did not run");
}

/// slave_run=fpu...: the slave's FPU state-integrity checks.
void fpu_checks(const kern::RunSummary&) {
    FirstBoot b;
    const SlaveResult& r = b.r;
    bool up = b.up;
    const char* not_up = b.not_up;
    auto saw = [&](SlaveWatch w) { return b.saw(w); };
    kern::report_test("slave_xsave_features_as_offered",
                      up && saw(WATCH_XSAVE_PASS) && !r.xsave_failure[0],
                      !up                  ? not_up
                      : r.xsave_failure[0] ? r.xsave_failure
                                           : "vlibos-xsavecheck did not finish");
    kern::report_test("slave_fpu_state_intact", up && saw(WATCH_FPU_PASS) && !r.fpu_failure[0],
                      !up ? not_up
                      : r.fpu_failure[0]
                          ? r.fpu_failure
                          : "vlibos-fpucheck did not finish (the slave stopped first?)");
}

/// With slave=linux, ask for the checks the command line wants; they report even when the
/// slave cannot start (every check then fails with the reason).
void register_slave_checks() {
    const char* which = kern::g_cmdline.get("slave");
    if (!which || strcmp(which, "linux") != 0) return;
    if (const char* t = kern::g_cmdline.get("test"); t && strcmp(t, "lab7") == 0)
        kern::at_run_end(lab7_checks);
    if (const char* run = kern::g_cmdline.get("slave_run"); run && strncmp(run, "fpu", 3) == 0)
        kern::at_run_end(fpu_checks);
}

} // namespace

// Right after the slave's own hook (linux_slave, 30), as its checks were registered before.
KERNEL_LATE_INIT(slave_checks, 31, register_slave_checks);

} // namespace hv
