#include "test/ktest.h"

#include "console/console.h"
#include "core/format.h"
#include "lib/string.h"
#include "test/report.h"

#include <stdarg.h>

extern "C" const kern::KTest __ktests_start[], __ktests_end[];

namespace kern {

bool KTestContext::check(bool ok, const char* what, int line) {
    if (!ok && !m_failed) {
        m_failed = true;
        snformat(m_reason, sizeof m_reason, "check failed at line %d: %s", line, what);
    }
    return ok;
}

void KTestContext::fail(const char* fmt, ...) {
    if (m_failed) return;
    m_failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnformat(m_reason, sizeof m_reason, fmt, ap);
    va_end(ap);
}

unsigned ktest_run_suite(const char* suite) {
    unsigned failed = 0, run = 0;
    // GCC emits a file's records in reverse: walk back from the end to run them in source
    // order, the order of the lab's test table (a graded run tells results in that order).
    for (const KTest* k = __ktests_end; k-- > __ktests_start;) {
        if (strcmp(k->suite, suite) != 0) continue;
        KTestContext t;
        k->fn(t);
        report_test(k->name, t.passed(), t.reason());
        ++run;
        failed += t.passed() ? 0 : 1;
    }
    if (run == 0) kprintf("ktest: no in-kernel tests in suite '%s'\n", suite);
    return failed;
}

} // namespace kern
