// In-kernel tests: checks that must run on the real (or emulated) machine, e.g. "every CPU
// reported in" or "a page mapped with the lab-1 code is readable through its new address".
//
//   KTEST(lab1, frame_alloc_unique) {
//       KCHECK(a != b);
//   }
//
// Each KTEST is a record in the .ktests linker section (kernel.ld). `test=lab1` on the kernel
// command line runs lab 1's tests at the boot stage that lab needs and prints one
// `@@ test=<name> result=pass|fail` line per test for the autograder.
#pragma once

#include <stdint.h>

namespace kern {

/// Collects the outcome of one test: the first failed check wins.
class KTestContext {
  public:
    /// Record a failure unless `ok`; `what` names the check (shown in the report).
    bool check(bool ok, const char* what, int line);
    /// Fail with a formatted message.
    [[gnu::format(printf, 2, 3)]] void fail(const char* fmt, ...);
    /// True if no check failed.
    bool passed() const { return !m_failed; }
    /// The first failure's message.
    const char* reason() const { return m_reason; }

  private:
    bool m_failed = false;
    char m_reason[160] = {};
};

/// One in-kernel test. The records lie back to back in .ktests and are walked as an array, so
/// the size is padded to the alignment GCC gives them anyway (it aligns objects of 16 bytes or
/// more to 16; an unpadded 24-byte record would leave gaps).
struct alignas(32) KTest {
    const char* suite;           ///< "lab0", "lab1", ...
    const char* name;            ///< test name, unique within the kernel
    void (*fn)(KTestContext& t); ///< the test body
};
static_assert(sizeof(KTest) == 32);

/// Run every test of `suite` in source order, printing an `@@ test=` line for each. Returns the
/// number of failures.
unsigned ktest_run_suite(const char* suite);

} // namespace kern

#define KTEST(suite, name)                                                                         \
    static void ktest_fn_##suite##_##name(::kern::KTestContext& t);                                \
    [[gnu::used, gnu::section(".ktests")]] static const ::kern::KTest ktest_rec_##suite##_##name{  \
        #suite, #name, ktest_fn_##suite##_##name};                                                 \
    static void ktest_fn_##suite##_##name([[maybe_unused]] ::kern::KTestContext& t)

/// Check a condition inside a KTEST; on failure the test is marked failed and goes on.
#define KCHECK(cond) t.check(static_cast<bool>(cond), #cond, __LINE__)
/// Check a condition; on failure leave the test at once.
#define KREQUIRE(cond)                                                                             \
    do {                                                                                           \
        if (!t.check(static_cast<bool>(cond), #cond, __LINE__)) return;                            \
    } while (0)
