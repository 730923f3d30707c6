// Fatal errors. PANIC is for broken invariants and unrecoverable states; expected failures are
// Result values. A panic prints the message, a backtrace and an `@@ panic` line for the grader,
// then stops every CPU and, under an emulator, exits it.
#pragma once

#include <stdint.h>

namespace kern {

/// Report a fatal error and stop. Prefer the PANIC macro, which adds file and line.
[[noreturn, gnu::format(printf, 3, 4)]] void panic_at(const char* file, int line, const char* fmt,
                                                      ...);

/// First half of a panic for callers that print their own details (the exception reporter):
/// stops other CPUs and takes the console even if a CPU died holding its lock.
void panic_begin();
/// Second half: backtrace from (rip, rbp), the `@@ panic` line, then exit or halt.
[[noreturn]] void panic_end(uint64_t rip, uint64_t rbp, const char* what);

} // namespace kern

#define PANIC(...) ::kern::panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) PANIC("assertion failed: %s", #cond);                                         \
    } while (0)
