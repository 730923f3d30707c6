// Machine-readable result lines for the autograder: `@@ key=value ...`, one per line.
//
// The grader parses these lines, never prose. This file formats numbers with its own tiny
// decimal printer instead of kprintf, so a broken lab-0 formatter cannot forge or garble results.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// `@@ test=<name> result=pass` or `... result=fail reason="<why>"`.
void report_test(const char* name, bool pass, const char* reason);
/// `@@ metric=<name> value=<v> unit=<unit>`.
void report_metric(const char* name, uint64_t value, const char* unit);
/// `@@ panic reason="<what>"`.
void report_panic(const char* what);
/// `@@ exit code=<code>`.
void report_exit(int code);
/// `@@ <text>` verbatim, for stage markers such as `@@ boot stage=memory`.
void report_line(const char* text);

/// Start a graded run: `nonce` (from `grade=` on the command line) must be 16 lowercase hex
/// digits and `tests` the lab's test names, one per line (the `grade-tests` boot module).
/// From then on every result of a listed test is also told framed by the nonce, in the list's
/// order: `@@ <nonce> test=<name> result=...`, after `@@ <nonce> begin tests=<n>`. Returns
/// false (and grades nothing) if either is malformed.
bool report_grade_begin(const char* nonce, const char* tests, size_t len);
/// End a graded run that finished: tell every test not yet told (one that never reported
/// fails), then `@@ <nonce> end`. A run that panicked tells what had reported and no end
/// marker, so the grader can say how the run ended. Called by machine_exit.
void report_grade_end();

} // namespace kern
