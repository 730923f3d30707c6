#include "hooks.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
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
volatile unsigned g_jobs;
}

void background_job_begin() {
    __atomic_fetch_add(&g_jobs, 1, __ATOMIC_SEQ_CST);
}
void background_job_end() {
    __atomic_fetch_sub(&g_jobs, 1, __ATOMIC_SEQ_CST);
}
void background_jobs_wait() {
    while (__atomic_load_n(&g_jobs, __ATOMIC_ACQUIRE))
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
