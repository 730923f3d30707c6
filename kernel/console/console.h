// The kernel console: every byte of kernel output goes to all attached outputs (COM1, the VGA
// text buffer or the framebuffer). One lock serializes writers so lines from different CPUs do
// not interleave mid-line.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace kern {

/// Bring up the serial console; safe as the very first thing in kernel_main.
void console_init_early();
/// Write raw bytes to every attached output.
void console_write(const char* s, size_t n);
/// printf-style output to the console (see core/format.h for the conversions).
[[gnu::format(printf, 1, 2)]] void kprintf(const char* fmt, ...);
/// va_list version of kprintf().
void vkprintf(const char* fmt, va_list ap);
/// Drop the console lock without taking it: only panic() calls this, so that a CPU that
/// panicked while printing can still report.
void console_break_lock();

} // namespace kern
