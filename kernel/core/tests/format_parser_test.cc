// The format-string parser (format.cc, lab 0 step 1) against the host C library's snprintf:
// strings and characters, flags, width and precision from the string or the arguments, length
// modifiers, and the odd cases (a lone '%', an unknown conversion, truncation).
#include "core/format.h"
#include "core/tests/format_helpers.h"

#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <string>

using kern::snformat;

using format_test::cfmt;
using format_test::kfmt;

TEST_CASE("strings and characters: width, precision, left, null, %%, unknown, *") {
    CHECK(kfmt("%s|%5s|%-5s|%.2s", "ab", "ab", "ab", "abcdef") == "ab|   ab|ab   |ab");
    CHECK(kfmt("%s", (const char*)nullptr) == "(null)");
    CHECK(kfmt("%c%c", 'o', 'k') == "ok");
    CHECK(kfmt("%3c|%-3c|", 'a', 'b') == cfmt("%3c|%-3c|", 'a', 'b'));
    CHECK(kfmt("100%%") == "100%");
    CHECK(kfmt("%q") == "%q");
    CHECK(kfmt("%*s|", 4, "x") == "   x|");
    CHECK(kfmt("%-*s|", 4, "x") == "x   |");
    CHECK(kfmt("%*s|", -4, "x") == "x   |"); // a negative width means left-justified
    CHECK(kfmt("%.*s|", 3, "abcdef") == "abc|");
    CHECK(kfmt("%.*s|", -1, "abcdef") == "abcdef|"); // a negative precision: as if none
    CHECK(kfmt("%8.3s|", "abcdef") == cfmt("%8.3s|", "abcdef"));
}

TEST_CASE("flags, widths and precisions reach the integer conversions") {
    for (const char* f : {"%-6d|", "%+d", "% d", "%06d", "%.4d", "%8.4d", "%-8.4d|", "%+06d", "%#x",
                          "%#o", "%#10x|", "%-#10x|", "%010x", "%X"}) {
        for (int v : {0, 7, -7, 255, 123456}) {
            INFO(f << " " << v);
            CHECK(kfmt(f, v) == cfmt(f, v));
        }
    }
    CHECK(kfmt("%*d|", 6, 42) == cfmt("%*d|", 6, 42));
    CHECK(kfmt("%*d|", -6, 42) == cfmt("%*d|", -6, 42));
    CHECK(kfmt("%.*d|", 5, 42) == cfmt("%.*d|", 5, 42));
    CHECK(kfmt("%*.*d|", 8, 5, -42) == cfmt("%*.*d|", 8, 5, -42));
}

TEST_CASE("length modifiers take the argument of their size") {
    CHECK(kfmt("%hhd %hhu", 300, 300) == cfmt("%hhd %hhu", 300, 300));
    CHECK(kfmt("%hd %hu", 70000, 70000) == cfmt("%hd %hu", 70000, 70000));
    CHECK(kfmt("%ld %lu", LONG_MIN, ULONG_MAX) == cfmt("%ld %lu", LONG_MIN, ULONG_MAX));
    CHECK(kfmt("%lld %llx", LLONG_MIN, ULLONG_MAX) == cfmt("%lld %llx", LLONG_MIN, ULLONG_MAX));
    CHECK(kfmt("%zu %zx", SIZE_MAX, size_t(0xabc)) == cfmt("%zu %zx", SIZE_MAX, size_t(0xabc)));
    CHECK(kfmt("%lx|%x", 0x123456789abcdefUL, 0xdeadbeefu) == "123456789abcdef|deadbeef");
    // The arguments after one of another size are still found where they are.
    CHECK(kfmt("%ld %d %s", 5L, 6, "seven") == "5 6 seven");
    CHECK(kfmt("%hhd %lld %c", 1, 2LL, 'x') == "1 2 x");
}

TEST_CASE("text around conversions, a lone % at the end, pointers and binary in a line") {
    CHECK(kfmt("a%db%sc", 1, "x") == "a1bxc");
    CHECK(kfmt("end %") == "end %");
    CHECK(kfmt("%d%%%d", 1, 2) == "1%2");
    CHECK(kfmt("rip=%p bits=%b", (void*)0x1000, 5u) == "rip=0x0000000000001000 bits=101");
    CHECK(kfmt("") == "");
}

TEST_CASE("snformat truncates and reports the full length") {
    char buf[4];
    CHECK(snformat(buf, sizeof buf, "%s", "hello") == 5);
    CHECK(std::string(buf) == "hel");
    CHECK(snformat(buf, sizeof buf, "%d", 123456) == 6);
    CHECK(std::string(buf) == "123");
    CHECK(snformat(nullptr, 0, "%s", "four") == 4);
}
