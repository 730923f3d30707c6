#include "hooks.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "core/atomic.h"
#include "sched/thread.h"

extern "C" const kern::LateInitHook __kinit_start[], __kinit_end[];
extern "C" const kern::BootName __bootopts_start[], __bootopts_end[];
extern "C" const kern::BootName __bootmods_start[], __bootmods_end[];

namespace kern {

void run_late_init_hooks() {
    // A handful of hooks: repeated selection of the next-lowest priority, no sorting in place
    // (the section is read-only).
    uint64_t last = 0;
    bool first = true;
    for (;;) {
        const LateInitHook* next = nullptr;
        for (const LateInitHook* h = __kinit_start; h < __kinit_end; ++h)
            if ((first || h->priority > last) && (!next || h->priority < next->priority)) next = h;
        if (!next) return;
        for (const LateInitHook* h = __kinit_start; h < __kinit_end; ++h)
            if (h->priority == next->priority) {
                kprintf("init: %s\n", h->name);
                h->fn();
            }
        last = next->priority;
        first = false;
    }
}

namespace {
Atomic<unsigned> g_jobs; // jobs begun and not yet ended, on any CPU
}

void background_job_begin() {
    g_jobs.fetch_add(1, MemoryOrder::seq_cst);
}
void background_job_end() {
    g_jobs.fetch_sub(1, MemoryOrder::seq_cst); // publishes the job's results too
}
void background_jobs_wait() {
    while (g_jobs.load(MemoryOrder::acquire))
        sleep_until(cpu::rdtsc() + 100000);
}

namespace {
void (*g_apps_end_hooks[4])();
unsigned g_apps_end_count;
} // namespace

void at_apps_end(void (*fn)()) {
    if (g_apps_end_count < 4)
        g_apps_end_hooks[g_apps_end_count++] = fn;
    else
        kprintf("hooks: too many apps-end hooks; one is ignored\n");
}

void run_apps_end_hooks() {
    for (unsigned i = 0; i < g_apps_end_count; ++i)
        g_apps_end_hooks[i]();
}

namespace {
void (*g_end_hooks[4])(const RunSummary&);
unsigned g_end_hook_count;
} // namespace

void at_run_end(void (*fn)(const RunSummary&)) {
    if (g_end_hook_count < 4)
        g_end_hooks[g_end_hook_count++] = fn;
    else
        kprintf("hooks: too many end-of-run hooks; one is ignored\n");
}

void run_end_hooks(const RunSummary& s) {
    for (unsigned i = 0; i < g_end_hook_count; ++i)
        g_end_hooks[i](s);
}

BootNames boot_options() {
    return BootNames(__bootopts_start, __bootopts_end);
}

BootNames boot_data_modules() {
    return BootNames(__bootmods_start, __bootmods_end);
}

} // namespace kern
