// Machine-readable result lines for the autograder: `@@ key=value ...`, one per line.
//
// The grader parses these lines, never prose. This file formats numbers with its own tiny
// decimal printer instead of kprintf, so a broken lab-0 formatter cannot forge or garble results.
#pragma once

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

} // namespace kern
