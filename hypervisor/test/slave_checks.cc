// The verdicts on the Linux slave's first boot (slave=linux, hypervisor/slave/slave_boot.cc),
// made when the run ends, after the applications (rtlat) and the slave itself:
//   test=lab7        lab 7's checks: Linux reached userspace, ran its script, and every attack
//                    of slave/initramfs/etc/vlibos/lab7.sh was contained while rtlat held
//   slave_run=fpu... the FPU state-integrity checks (slave/initramfs/etc/vlibos/fpu.sh)
// They print `@@ test=... result=...` lines for the grader and make test; the slave's own code
// only reports what happened (`@@ slave boot=...`).
#include "core/format.h"
#include "hooks.h"
#include "hypervisor/core/slave/bzimage.h"
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

/// Lab 7, step 1 on the real slave kernel: parse_bzimage() must read what the setup header
/// holds at the offsets boot.rst gives, and write_boot_params() must copy that header and fill
/// the loader's fields. False, with @p why, at the first difference.
bool real_kernel_parsed(char* why, size_t n) {
    using namespace linux_boot;
    const kern::BootModule* m = linux_slave_module("slave-kernel");
    if (!m) {
        kern::snformat(why, n, "no slave-kernel boot module");
        return false;
    }
    const auto* file = reinterpret_cast<const uint8_t*>(m->start);
    const size_t size = size_t(m->end - m->start);
    auto bz = parse_bzimage(file, size);
    if (!bz.ok()) {
        kern::snformat(why, n, "parse_bzimage() refused the slave's kernel: %s", bz.error().what);
        return false;
    }
    const BzImage& b = bz.value();
    const size_t sects = file[HDR_SETUP_SECTS] ? file[HDR_SETUP_SECTS] : 4;
    struct Field {
        const char* name;
        uint64_t got, want;
    } fields[] = {
        {"protocol", b.protocol, get_le(file + HDR_VERSION, 2)},
        {"setup_bytes", b.setup_bytes, (sects + 1) * 512},
        {"kernel offset", uint64_t(b.kernel - file), (sects + 1) * 512},
        {"kernel_size", b.kernel_size, size - (sects + 1) * 512},
        {"pref_address", b.pref_address, get_le(file + HDR_PREF_ADDRESS, 8)},
        {"init_size", b.init_size, get_le(file + HDR_INIT_SIZE, 4)},
        {"kernel_alignment", b.kernel_alignment, get_le(file + HDR_KERNEL_ALIGNMENT, 4)},
        {"relocatable", b.relocatable, file[HDR_RELOCATABLE] != 0},
        {"cmdline_size", b.cmdline_size, get_le(file + HDR_CMDLINE_SIZE, 4)},
        {"initrd_addr_max", b.initrd_addr_max, get_le(file + HDR_INITRD_ADDR_MAX, 4)},
        {"header_end", b.header_end, 0x202 + size_t(file[HDR_JUMP + 1])},
    };
    for (const Field& f : fields)
        if (f.got != f.want) {
            kern::snformat(why, n, "the slave's kernel: %s is %#lx, its setup header says %#lx",
                           f.name, f.got, f.want);
            return false;
        }
    static uint8_t zp[ZERO_PAGE_SIZE];
    const E820Entry e820[2] = {{0, 0x9F000, E820Type::ram}, {1 << 20, 63 << 20, E820Type::ram}};
    BootParamsSpec spec;
    spec.cmdline_gpa = 0x7000;
    spec.initrd_gpa = 0x3000000;
    spec.initrd_size = 0x123000;
    spec.e820 = e820;
    spec.e820_count = 2;
    if (auto r = write_boot_params(zp, b, file, spec); !r.ok()) {
        kern::snformat(why, n, "write_boot_params(): %s", r.error().what);
        return false;
    }
    // The bytes the loader writes: type_of_loader, the initrd's address and size, the command
    // line's address. Every other byte of the header is the kernel's.
    auto loader_byte = [](size_t i) {
        return i == HDR_TYPE_OF_LOADER || (i >= HDR_RAMDISK_IMAGE && i < HDR_RAMDISK_SIZE + 4) ||
               (i >= HDR_CMD_LINE_PTR && i < HDR_CMD_LINE_PTR + 4);
    };
    for (size_t i = HDR_START; i < b.header_end; ++i)
        if (!loader_byte(i) && zp[i] != file[i]) {
            kern::snformat(why, n, "the zero page's byte %#lx is %#x, the kernel's header has %#x",
                           i, zp[i], file[i]);
            return false;
        }
    const bool filled = zp[HDR_TYPE_OF_LOADER] == 0xFF &&
                        get_le(zp + HDR_RAMDISK_IMAGE, 4) == 0x3000000 &&
                        get_le(zp + HDR_RAMDISK_SIZE, 4) == 0x123000 &&
                        get_le(zp + HDR_CMD_LINE_PTR, 4) == 0x7000 && zp[ZP_E820_ENTRIES] == 2 &&
                        get_le(zp + ZP_E820_TABLE + E820_ENTRY_SIZE, 8) == (1 << 20);
    if (!filled) kern::snformat(why, n, "the zero page's loader fields or e820 table are wrong");
    return filled;
}

/// test=lab7: the checks of the slave's first boot, once the applications (rtlat) have ended.
void lab7_checks(const kern::RunSummary& run) {
    char why[160];
    bool parsed = real_kernel_parsed(why, sizeof why);
    kern::report_test("slave_kernel_parsed_and_zero_page_written", parsed, why);
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
