// Hooks through which the layers above the kernel (hypervisor/, libos/) join it without the
// kernel ever including them: dependencies run one way, libos/ -> hypervisor/ -> kernel/.
//
//   KERNEL_LATE_INIT(hypervisor, 10, hv_init);
//
// registers hv_init to run in the boot thread after the scheduler is up, in order of the
// priority number, lowest first. The records live in the .kinit linker section (kernel.ld).
#pragma once

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

} // namespace kern

#define KERNEL_LATE_INIT(name, priority, fn)                                                       \
    [[gnu::used, gnu::section(".kinit")]] static const ::kern::LateInitHook kinit_##name {         \
#name, priority, fn                                                                        \
    }
