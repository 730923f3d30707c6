#include "panic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/probe.h"
#include "console/console.h"
#include "core/atomic.h"
#include "core/backtrace.h"
#include "core/format.h"
#include "test/report.h"

#include <stdarg.h>

namespace kern {

namespace {
Atomic<bool> g_panicking;

bool read_word(uint64_t addr, uint64_t* out) {
    return probe_read_u64(reinterpret_cast<const volatile uint64_t*>(addr), out);
}
} // namespace

void (*g_panic_stop_other_cpus)() = nullptr;

void panic_begin() {
    cpu::cli();
    if (g_panicking.exchange(true, MemoryOrder::seq_cst)) {
        // A second panic (on this CPU while reporting, or on another CPU): the first one
        // reports; we just stop.
        cpu::halt_forever();
    }
    if (g_panic_stop_other_cpus) g_panic_stop_other_cpus();
    console_break_lock();
}

void panic_end(uint64_t rip, uint64_t rbp, const char* what) {
    uint64_t rips[16];
    size_t n = walk_frames(rbp, read_word, rips, 16);
    kprintf(
        "  backtrace (tools/run.py names the functions; or addr2line -f -e <kernel.elf> ADDR):\n");
    size_t k = 0;
    if (n == 0 || rips[0] != rip) // a PANIC's own return address is also the walk's first entry
        kprintf("    #%zu %p\n", k++, reinterpret_cast<void*>(rip));
    for (size_t i = 0; i < n; ++i)
        kprintf("    #%zu %p\n", k++, reinterpret_cast<void*>(rips[i]));
    report_panic(what);
    machine_exit(ExitStatus::failure);
}

void panic_at(const char* file, int line, const char* fmt, ...) {
    panic_begin();
    kprintf("\n*** kernel panic at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    char msg[160];
    vsnformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("%s\n", msg);
    panic_end(reinterpret_cast<uint64_t>(__builtin_return_address(0)), cpu::read_rbp(), msg);
}

} // namespace kern
