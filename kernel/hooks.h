// Hooks through which the layers above the kernel (hypervisor/, libos/) join it without the
// kernel ever including them (DESIGN.md: dependencies run one way).
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
    const char* name;   ///< shown in the boot log
    uint64_t priority;  ///< lower runs first
    void (*fn)();       ///< the hook
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

} // namespace kern

#define KERNEL_LATE_INIT(name, priority, fn)                                                       \
    [[gnu::used, gnu::section(".kinit")]] static const ::kern::LateInitHook kinit_##name{#name, priority, fn}
