#include "console/console.h"

#include "arch/x86_64/serial.h"
#include "console/screen.h"
#include "core/format.h"
#include "lib/string.h"
#include "sync/thread_lock.h"

#include <stdint.h>

namespace kern {

namespace {
// Interrupts stay on while a line is written (~1 ms on a UART): see sync/thread_lock.h.
using ConsoleLock = ThreadLock;
ConsoleLock g_console_lock;

struct ConsoleGuard {
    ConsoleGuard() { g_console_lock.lock(); }
    ~ConsoleGuard() { g_console_lock.unlock(); }
};

void write_all(const char* s, size_t n) {
    serial::write(s, n);
    screen_write(s, n);
}

void sink_put(void*, const char* s, size_t n) {
    write_all(s, n);
}
} // namespace

void console_init_early() {
    serial::init();
}

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

void console_break_lock() {
    g_console_lock.unlock();
}

} // namespace kern
