// printf-style formatting for the kernel, independent of where the text goes.
//
// Supported: %d %i %u %x %X %o %b %p %s %c %%, flags "-0+ #", width and precision (also *),
// length modifiers hh h l ll z. %b is binary (handy for register bits). A NULL %s prints
// "(null)"; an unknown conversion prints itself, e.g. "%q", so mistakes are visible.
// Integer conversions are delegated to format_integer() (core/format_int.h, lab 0).
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace kern {

/// Where formatted text goes: put(ctx, s, n) is called with successive pieces.
struct FormatSink {
    void (*put)(void* ctx, const char* s, size_t n); ///< receives each piece of output
    void* ctx;                                       ///< passed through to put
};

/// Format `fmt` with `ap` into `sink`; returns the number of characters produced.
size_t vformat(FormatSink sink, const char* fmt, va_list ap);

/// Format into `buf` (capacity `cap`, always NUL-terminated when cap > 0). Returns the length the
/// full output would have had, like C's snprintf.
[[gnu::format(printf, 3, 4)]] size_t snformat(char* buf, size_t cap, const char* fmt, ...);

/// va_list version of snformat().
size_t vsnformat(char* buf, size_t cap, const char* fmt, va_list ap);

} // namespace kern
