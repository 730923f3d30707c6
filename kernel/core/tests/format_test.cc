// Lab 0: kprintf formatting, checked against the host C library's snprintf where both agree
// (C11 7.21.6.1), plus the kernel's own extensions (%b, "(null)", unknown conversions).
#include "core/format.h"
#include "core/tests/format_helpers.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

using kern::snformat;

using format_test::cfmt;
using format_test::kfmt;

TEST_CASE("decimal conversions match C printf", "[lab0]") {
    for (int v : {0, 1, -1, 42, -42, 2147483647, -2147483647 - 1}) {
        for (const char* f :
             {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-+6d|"}) {
            INFO(f << " " << v);
            CHECK(kfmt(f, v) == cfmt(f, v));
        }
    }
    CHECK(kfmt("%.0d", 0) == "");
    CHECK(kfmt("%ld", -9223372036854775807L - 1) == "-9223372036854775808");
    CHECK(kfmt("%lu", 18446744073709551615UL) == "18446744073709551615");
    CHECK(kfmt("%zu", size_t(12345)) == "12345");
    CHECK(kfmt("%hhd", 300) == "44");
}

TEST_CASE("hex and octal conversions match C printf", "[lab0]") {
    for (unsigned v : {0u, 1u, 255u, 0xdeadbeefu}) {
        for (const char* f :
             {"%x", "%X", "%#x", "%#X", "%08x", "%#010x", "%-8x|", "%o", "%#o", "%.4x"}) {
            INFO(f << " " << v);
            CHECK(kfmt(f, v) == cfmt(f, v));
        }
    }
    CHECK(kfmt("%lx", 0xfedcba9876543210UL) == "fedcba9876543210");
}

TEST_CASE("pointers are 0x plus 16 hex digits", "[lab0]") {
    CHECK(kfmt("%p", (void*)0x1234) == "0x0000000000001234");
    CHECK(kfmt("%p", (void*)0xffffffff80000000UL) == "0xffffffff80000000");
}

TEST_CASE("binary conversion", "[lab0]") {
    CHECK(kfmt("%b", 5u) == "101");
    CHECK(kfmt("%#b", 5u) == "0b101");
    CHECK(kfmt("%08b", 5u) == "00000101");
    CHECK(kfmt("%lb", ~0UL) == std::string(64, '1'));
}
