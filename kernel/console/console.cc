#include "console/console.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/serial.h"
#include "console/screen.h"
#include "core/format.h"
#include "lib/string.h"
#include "sync/thread_lock.h"

#include <stdint.h>

namespace kern {

namespace {
// Interrupts stay on while a line is written (~1 ms on a UART): see sync/thread_lock.h.
ThreadLock g_console_lock;
/// CPU index + 1 of the lock's holder, 0 when free.
uint32_t g_console_owner = 0;

/// Output of a CPU that cannot wait for the console: code running with interrupts off (a VM
/// exit handler, a babysat slave's console) while a thread that this CPU preempted holds the
/// lock, which it would never get back. Its text waits here and is written, in order, by the
/// next console user on that CPU (the preempted holder itself at the latest). Only its own CPU
/// touches it, always with interrupts off.
struct Deferred {
    char text[2048];
    size_t used;
    uint64_t dropped; ///< bytes that did not fit
};
Deferred g_deferred[MAX_CPUS];

void write_all(const char* s, size_t n) {
    serial::write(s, n);
    screen_write(s, n);
}

void sink_put(void*, const char* s, size_t n) {
    write_all(s, n);
}

void defer_put(void* d, const char* s, size_t n) {
    auto* q = static_cast<Deferred*>(d);
    size_t room = sizeof q->text - q->used, k = n < room ? n : room;
    memcpy(q->text + q->used, s, k);
    q->used += k;
    q->dropped += n - k;
}

/// The calling CPU's index; 0 before the boot CPU has its per-CPU data (this_cpu() would read
/// through a null GS base), when only it runs.
unsigned cpu_slot() {
    return g_cpus_online ? this_cpu().index : 0;
}

/// True if the caller must not wait for the console: interrupts off, and the holder is a
/// thread of this CPU (preempted while printing).
bool must_defer() {
    if ((cpu::read_rflags() >> 9) & 1) return false;
    return __atomic_load_n(&g_console_owner, __ATOMIC_RELAXED) == cpu_slot() + 1;
}

/// Holds the console for a scope; on release writes what this CPU deferred meanwhile.
struct ConsoleGuard {
    ConsoleGuard() {
        g_console_lock.lock();
        __atomic_store_n(&g_console_owner, cpu_slot() + 1, __ATOMIC_RELAXED);
    }
    ~ConsoleGuard() {
        // What this CPU deferred meanwhile, taken out with interrupts off (they fill it with
        // interrupts off), then written with interrupts as the caller had them: a UART line
        // takes milliseconds, too long for the CPU's real-time threads to wait.
        for (;;) {
            char text[512];
            size_t n = 0;
            uint64_t dropped = 0;
            {
                cpu::IrqSave irqs;
                Deferred& d = g_deferred[cpu_slot()];
                n = d.used < sizeof text ? d.used : sizeof text;
                memcpy(text, d.text, n);
                memmove(d.text, d.text + n, d.used - n);
                d.used -= n;
                dropped = d.dropped;
                d.dropped = 0;
            }
            if (n) write_all(text, n);
            if (dropped) {
                char note[64];
                size_t k = snformat(note, sizeof note, "[console: %lu bytes lost]\n", dropped);
                write_all(note, k);
            }
            if (!n && !dropped) break;
        }
        __atomic_store_n(&g_console_owner, 0, __ATOMIC_RELAXED);
        g_console_lock.unlock();
    }
};
} // namespace

void console_init_early() {
    serial::init();
}

void console_write(const char* s, size_t n) {
    if (must_defer()) {
        defer_put(&g_deferred[cpu_slot()], s, n);
        return;
    }
    ConsoleGuard guard;
    write_all(s, n);
}

void vkprintf(const char* fmt, va_list ap) {
    if (must_defer()) {
        vformat(FormatSink{defer_put, &g_deferred[cpu_slot()]}, fmt, ap);
        return;
    }
    ConsoleGuard guard;
    vformat(FormatSink{sink_put, nullptr}, fmt, ap);
}

void kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

void console_break_lock() {
    __atomic_store_n(&g_console_owner, 0, __ATOMIC_RELAXED);
    g_console_lock.unlock();
}

} // namespace kern
