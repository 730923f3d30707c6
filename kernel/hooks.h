// Hooks through which the layers above the kernel (hypervisor/, libos/) join it without the
// kernel ever including them: dependencies run one way, libos/ -> hypervisor/ -> kernel/.
//
//   KERNEL_LATE_INIT(hypervisor, 10, hv_init);
//
// registers hv_init to run in the boot thread after the scheduler is up, in order of the
// priority number, lowest first. The records live in the .kinit linker section (kernel.ld).
//
//   BOOT_OPTION(slave_mem, "slave_mem=MiB: the slave's RAM (default 64)");
//   BOOT_DATA_MODULE(slave_kernel, "slave-kernel", "the Linux slave's bzImage");
//
// register a kernel command-line option and a data module's name (a multiboot2 module that is
// a file for its layer, not a program to start) with a line of help, in the .bootopts and
// .bootmods sections: the kernel knows an option or a module name only if some layer, itself
// included, registered it (core/boot/boot_names.h). tools/docs_check.py collects every
// BOOT_OPTION to check the docs' command-line table.
#pragma once

#include "core/boot/boot_names.h"

#include <stdint.h>

namespace kern {

/// One late-init hook.
struct alignas(32) LateInitHook {
    const char* name;  ///< shown in the boot log
    uint64_t priority; ///< lower runs first
    void (*fn)();      ///< the hook
};
static_assert(sizeof(LateInitHook) == 32);

/// Run every registered hook, lowest priority number first.
void run_late_init_hooks();

/// A layer above started work in a thread of its own (e.g. the hypervisor's demo guests):
/// kernel_main waits for it, after the master applications, before it ends the run.
void background_job_begin();
/// That work is done.
void background_job_end();
/// Sleep until every background job has ended.
void background_jobs_wait();

/// How the run went, for the end-of-run hooks.
struct RunSummary {
    unsigned apps_started; ///< master applications started from boot modules
    unsigned apps_failed;  ///< of those, ended with a nonzero status or killed
    uint64_t apps_end_tsc; ///< TSC when the last one ended (0 if none ran)
};

/// Call `fn` once the master applications have ended, before kernel_main waits for the
/// background jobs (e.g. to stop a Linux slave that serves them and would never end by itself).
/// At most 4.
void at_apps_end(void (*fn)());
/// Run the apps-end hooks (kernel_main).
void run_apps_end_hooks();

/// Call `fn` when the run ends, after the applications and background jobs, before the
/// machine exits (e.g. the Linux slave's lab 7 checks, which need rtlat's result). At most 4.
void at_run_end(void (*fn)(const RunSummary&));
/// Run the end-of-run hooks (kernel_main).
void run_end_hooks(const RunSummary& s);

/// Every registered command-line option (BOOT_OPTION), from every layer.
BootNames boot_options();
/// Every registered data module's name (BOOT_DATA_MODULE), from every layer.
BootNames boot_data_modules();

} // namespace kern

#define KERNEL_LATE_INIT(name, priority, fn)                                                       \
    [[gnu::used, gnu::section(".kinit")]] static const ::kern::LateInitHook kinit_##name {         \
#name, priority, fn                                                                        \
    }

/// Register the command-line option `key` (a bare word: `key` or `key=value`) with its help.
#define BOOT_OPTION(key, help)                                                                     \
    [[gnu::used, gnu::section(".bootopts")]] static const ::kern::BootName bootopt_##key {         \
#key, help                                                                                 \
    }

/// Register `name`, a data module's name (its module string's first word), with its help.
#define BOOT_DATA_MODULE(id, name, help)                                                           \
    [[gnu::used, gnu::section(".bootmods")]] static const ::kern::BootName bootmod_##id {          \
        name, help                                                                                 \
    }
