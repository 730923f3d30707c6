// kfmt/cfmt: the kernel's snformat and the host C library's snprintf side by side, for the
// formatting tests (C11 7.21.6.1 is the reference both follow).
#pragma once

#include "core/format.h"

#include <cstdio>
#include <string>

namespace format_test {

/// The kernel's output for `fmt`.
template <typename... A> std::string kfmt(const char* fmt, A... a) {
    char buf[256];
    kern::snformat(buf, sizeof buf, fmt, a...);
    return buf;
}

/// The C library's output for `fmt`.
template <typename... A> std::string cfmt(const char* fmt, A... a) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, a...);
    return buf;
}

} // namespace format_test
