#include "console/console.h"

#include "arch/x86_64/serial.h"
#include "console/screen.h"
#include "core/format.h"
#include "lib/string.h"

#include <stdint.h>

namespace kern {

namespace {
// The console lock leaves interrupts on: writing a line to a UART takes ~1 ms (it waits for
// each character), and a real-time thread's timer interrupt must not wait behind it. The
// price: interrupt handlers must not print (panic() breaks the lock instead), and a thread
// that wants to print while a preempted thread on its CPU holds the lock spins until the
// scheduler lets the holder finish.
struct ConsoleLock {
    uint32_t locked = 0;
    void lock() {
        while (__atomic_exchange_n(&locked, 1, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&locked, __ATOMIC_RELAXED))
                __builtin_ia32_pause();
    }
    void unlock() { __atomic_store_n(&locked, 0, __ATOMIC_RELEASE); }
};
ConsoleLock g_console_lock;

struct ConsoleGuard {
    ConsoleGuard() { g_console_lock.lock(); }
    ~ConsoleGuard() { g_console_lock.unlock(); }
};

void write_all(const char* s, size_t n) {
    serial::write(s, n);
    screen_write(s, n);
}

void sink_put(void*, const char* s, size_t n) { write_all(s, n); }
} // namespace

void console_init_early() { serial::init(); }

void console_write(const char* s, size_t n) {
    ConsoleGuard guard;
    write_all(s, n);
}

void vkprintf(const char* fmt, va_list ap) {
    ConsoleGuard guard;
    vformat(FormatSink{sink_put, nullptr}, fmt, ap);
}

void kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

void console_break_lock() { g_console_lock.unlock(); }

} // namespace kern
