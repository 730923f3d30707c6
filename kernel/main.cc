// kernel_main: the master kernel's boot flow, top to bottom.
//
// GRUB -> arch/x86_64/boot/entry.S (32-bit, builds an identity map, enters long mode) -> here.
// Each stage below only needs the ones above it. `test=labN` on the command line runs lab N's
// in-kernel tests right after the stage that lab builds, then exits; so lab 0's tests need only
// the console, lab 1's need memory, and so on.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/trap.h"
#include "boot_stages.h"
#include "console/console.h"
#include "console/screen.h"
#include "core/boot/cmdline.h"
#include "core/boot/multiboot2.h"
#include "hooks.h"
#include "lib/cxxabi.h"
#include "lib/string.h"
#include "panic.h"
#include "proc/process.h"
#include "sched/thread.h"
#include "test/ktest.h"
#include "test/report.h"

namespace kern {

BootInfo g_boot;
CommandLine g_cmdline;
uint64_t g_tsc_at_main;

namespace {

unsigned g_test_failures = 0;

void warn_option(const char* option) {
    kprintf("warning: unknown kernel command-line option '%s' ignored\n", option);
    static bool listed = false; // the list once, however many typos
    if (listed) return;
    listed = true;
    kprintf("the options this kernel knows (registered by each layer, kernel/hooks.h):\n");
    for (const BootName& b : boot_options())
        kprintf("  %s\n", b.help);
}

void print_banner() {
    kprintf("\nvLibOS master kernel (x86_64), booted by %s%s\n",
            g_boot.loader_name[0] ? g_boot.loader_name : "an unnamed loader",
            g_boot.efi ? " via UEFI" : " via BIOS");
    kprintf("command line: '%s'\n", g_boot.cmdline);
}

/// `grade=<nonce>`: the autograder's run. The lab's test names come in the `grade-tests` module.
void grade_begin(const char* nonce) {
    for (size_t i = 0; i < g_boot.module_count; ++i) {
        const BootModule& m = g_boot.modules[i];
        if (strcmp(m.cmdline, "grade-tests") != 0) continue;
        if (!report_grade_begin(nonce, reinterpret_cast<const char*>(m.start),
                                size_t(m.end - m.start)))
            kprintf("warning: grade: a malformed nonce or grade-tests module; results are not "
                    "framed\n");
        return;
    }
    kprintf("warning: grade=... without a grade-tests module; results are not framed\n");
}

/// If `test=<suite>` asks for the suite that runs after `stage`, run it and exit.
void maybe_run_tests(const char* stage_suite) {
    const char* suite = g_cmdline.get("test");
    if (!suite || strcmp(suite, stage_suite) != 0) return;
    kprintf("running in-kernel tests '%s'\n", suite);
    g_test_failures = ktest_run_suite(suite);
    // With applications to run (e.g. rtlat for the latency checks), boot on and run them too.
    if (process_app_module_count() == 0)
        machine_exit(g_test_failures ? ExitStatus::failure : ExitStatus::success);
}

/// `crash=KIND`: raise an exception on purpose once the IDT is loaded, to see how the kernel
/// reports it (lab 0, step 2). A kernel-mode exception is fatal, so the boot ends here.
void maybe_crash() {
    const char* kind = g_cmdline.get("crash");
    if (!kind) return;
    kprintf("crash=%s: raising it on purpose\n", kind);
    if (strcmp(kind, "ud") == 0) {
        asm volatile("ud2"); // #UD (6)
    } else if (strcmp(kind, "bp") == 0) {
        asm volatile("int3"); // #BP (3)
    } else if (strcmp(kind, "de") == 0) {
        asm volatile("xor %%ecx, %%ecx\n\tdiv %%rcx" ::: "rax", "rcx", "rdx"); // #DE (0)
    } else if (strcmp(kind, "pf") == 0) {
        *reinterpret_cast<volatile uint64_t*>(0x140000000ull) = 1; // above the 4 GiB entry.S maps
    } else if (strcmp(kind, "gp") == 0) {
        (void)*reinterpret_cast<volatile uint64_t*>(0x8000000000000000ull); // non-canonical
    } else {
        kprintf("crash=%s: unknown kind (ud, bp, de, pf, gp); booting on\n", kind);
    }
}

} // namespace

// The kernel's own command-line options (the layers above register theirs next to their code).
BOOT_OPTION(grade, "grade=<nonce>: an autograder run; results are framed with the nonce "
                   "(test/report.h)");
BOOT_OPTION(test, "test=labN: run lab N's in-kernel tests at the stage they need, then exit");
BOOT_OPTION(exit, "exit=emu: leave the emulator when done (runners set it); otherwise halt");
BOOT_OPTION(crash, "crash=ud|bp|de|pf|gp: raise that exception on purpose once the IDT is "
                   "loaded, to see the kernel's report of a fatal trap");
BOOT_OPTION(quiet, "quiet: accepted; no stage uses it yet");
BOOT_OPTION(console, "console=serial: no screen console (drawing is slow in Bochs, and it runs "
                     "with interrupts off: latency measurements use serial only)");
BOOT_DATA_MODULE(grade_tests, "grade-tests",
                 "the lab's test names, one per line, for a graded run (grade=)");

} // namespace kern

extern "C" [[noreturn]] void kernel_main(uint32_t magic, uint64_t info) {
    using namespace kern;
    g_tsc_at_main = cpu::rdtsc();
    run_global_constructors();
    console_init_early();

    if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
        PANIC("not started by a multiboot2 loader: EAX = %#x, expected %#x", magic,
              MULTIBOOT2_BOOTLOADER_MAGIC);
    // The information lies below 4 GiB (identity-mapped by entry.S); bound it generously.
    if (auto r = parse_multiboot2(reinterpret_cast<const uint8_t*>(info), 1024 * 1024, g_boot);
        !r.ok())
        PANIC("bad multiboot2 boot information at %#lx: %s", info, r.error().what);
    g_cmdline.parse(g_boot.cmdline, boot_options(), warn_option);
    machine_exit_enable_emulator(g_cmdline.has("exit") &&
                                 strcmp(g_cmdline.get("exit"), "emu") == 0);
    if (const char* nonce = g_cmdline.get("grade")) grade_begin(nonce);
    sched_watch_late_timers(g_cmdline.get_u64("late_timers", 0));
    sched_set_watchdog(g_cmdline.get_u64("watchdog", 0));

    bool screen = !(g_cmdline.has("console") && strcmp(g_cmdline.get("console"), "serial") == 0);
    switch (screen ? g_boot.display : BootInfo::Display::none) {
    case BootInfo::Display::rgb:
        screen_attach_framebuffer(g_boot.framebuffer);
        break;
    case BootInfo::Display::ega_text:
        screen_attach_vga_text();
        break;
    case BootInfo::Display::none:
        // No framebuffer tag: a BIOS loader that left the VGA text mode as it was.
        if (!g_boot.efi && screen) screen_attach_vga_text();
        break;
    }
    print_banner();

    // Stage: CPU tables. From here on, exceptions are reported instead of triple-faulting.
    g_percpu[0].index = 0;
    gdt_init_cpu(g_percpu[0]);
    idt_init();
    g_percpu[0].online = true;
    __atomic_store_n(&g_cpus_online, 1, __ATOMIC_RELEASE); // before any AP starts
    report_line("boot stage=cpu");
    maybe_crash();
    maybe_run_tests("lab0");

    boot_stages_run(maybe_run_tests);
    kprintf("boot complete\n");
    report_line("boot result=pass");

    // Master applications: every multiboot2 module is started as a process.
    // Their own checks print `@@ test=` lines; the run fails here only if one could not start.
    RunSummary summary{0, 0, 0};
    if (size_t apps = process_app_module_count()) {
        summary.apps_started = process_spawn_modules();
        kprintf("process: %u of %zu application(s) started; waiting for them\n",
                summary.apps_started, apps);
        summary.apps_failed = process_wait_all();
        summary.apps_end_tsc = cpu::rdtsc();
        kprintf("process: all applications ended, %u with a nonzero status or killed\n",
                summary.apps_failed);
    }
    run_apps_end_hooks();
    background_jobs_wait(); // e.g. the hypervisor's demo guests, running next to the applications
    run_end_hooks(summary);
    sched_report_late_timers();
    bool ok = g_test_failures == 0 && process_refused_count() == 0;
    machine_exit(ok ? ExitStatus::success : ExitStatus::failure);
}
