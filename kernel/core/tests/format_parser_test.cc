// The format-string parser (staff code): conversions that do not go through lab 0's
// format_integer, so these pass with or without the lab 0 solution.
#include "core/format.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

using kern::snformat;

namespace {
template <typename... A> std::string kfmt(const char* fmt, A... a) {
    char buf[256];
    snformat(buf, sizeof buf, fmt, a...);
    return buf;
}
template <typename... A> std::string cfmt(const char* fmt, A... a) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, a...);
    return buf;
}
} // namespace

TEST_CASE("strings and characters (parser, not lab code)") {
    CHECK(kfmt("%s|%5s|%-5s|%.2s", "ab", "ab", "ab", "abcdef") == "ab|   ab|ab   |ab");
    CHECK(kfmt("%s", (const char*)nullptr) == "(null)");
    CHECK(kfmt("%c%c", 'o', 'k') == "ok");
    CHECK(kfmt("100%%") == "100%");
    CHECK(kfmt("%q") == "%q");
    CHECK(kfmt("%*s|", 4, "x") == "   x|");
}

TEST_CASE("snformat truncates and reports the full length") {
    char buf[4];
    CHECK(snformat(buf, sizeof buf, "%s", "hello") == 5);
    CHECK(std::string(buf) == "hel");
}
