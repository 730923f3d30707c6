// The format-string parser (staff code): conversions that do not go through lab 0's
// format_integer, so these pass with or without the lab 0 solution.
#include "core/format.h"
#include "core/tests/format_helpers.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

using kern::snformat;

using format_test::cfmt;
using format_test::kfmt;

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
