// Lab 8's verdicts on a run of the logger (autograder/labs/lab8.toml, make test's delegation
// steps): `@@ test=... result=...` lines, from the result the logger hands on (logger.h).
//   delegation_logger_writes     every sample reached the file in Linux: no write error, as
//                                many lines read back as samples, and stat() agrees on its size
//   delegation_logger_no_misses  the real-time sampler ran at every release
//   hostile_daemon_contained     (`hostile`) each lie of the hostile daemon ended its call with
//                                an error, in time, and the master's memory was not touched
#include "apps/logger/logger.h"
#include "core/format.h"
#include "vos.h"

namespace {

/// Every test of a run, in the lab's table order.
constexpr const char* TESTS[] = {"delegation_logger_writes", "delegation_logger_no_misses",
                                 "hostile_daemon_contained"};

void lab8_checks(const logger::Result& r) {
    switch (r.stage) {
    case logger::Stage::open_failed: {
        char why[160];
        kern::snformat(why, sizeof why, "the first delegated call, open(%s), failed: %ld", r.file,
                       r.open_status);
        for (const char* t : TESTS)
            vos::report_test(t, false, why);
        break;
    }
    case logger::Stage::logged: {
        bool stat_agrees = (r.stat_status == 0 ? r.stat_size : 0) == r.bytes; // a failed stat: 0
        bool writes = r.write_errors == 0 && r.lines == r.samples && stat_agrees;
        char why[160];
        kern::snformat(why, sizeof why,
                       "%lu write errors, %lu of %lu lines read back, stat %ld size %lu for %lu "
                       "bytes read",
                       r.write_errors, r.lines, r.samples, r.stat_status, r.stat_size, r.bytes);
        vos::report_test(TESTS[0], writes, why);
        kern::snformat(why, sizeof why, "the sampler missed %lu of %lu releases", r.misses,
                       r.samples);
        vos::report_test(TESTS[1], r.misses == 0, why);
        break;
    }
    case logger::Stage::hostile_done:
        vos::report_test(TESTS[2], r.hostile_contained,
                         "a lie was not refused in time, or the master's memory was written (see "
                         "the logger: hostile daemon lines)");
        break;
    }
}

/// Registered before app_main runs (apps/lib/vos.cc runs the global constructors first).
[[gnu::used]] const bool g_registered = (logger::on_result(lab8_checks), true);

} // namespace
