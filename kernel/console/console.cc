#include "console/console.h"

#include "arch/x86_64/serial.h"
#include "console/screen.h"
#include "core/format.h"
#include "lib/string.h"
#include "sync/spinlock.h"

namespace kern {

namespace {
Spinlock g_console_lock;

void write_all(const char* s, size_t n) {
    serial::write(s, n);
    screen_write(s, n);
}

void sink_put(void*, const char* s, size_t n) { write_all(s, n); }
} // namespace

void console_init_early() { serial::init(); }

void console_write(const char* s, size_t n) {
    SpinlockGuard guard(g_console_lock);
    write_all(s, n);
}

void vkprintf(const char* fmt, va_list ap) {
    SpinlockGuard guard(g_console_lock);
    vformat(FormatSink{sink_put, nullptr}, fmt, ap);
}

void kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

void console_break_lock() { g_console_lock = Spinlock{}; }

} // namespace kern
