#include "core/test/test_table.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

using kern::TestTable;

namespace {
bool load(TestTable& t, const std::string& s) {
    return t.load(s.data(), s.size());
}
} // namespace

TEST_CASE("the table loads names in order and refuses malformed lists") {
    TestTable t;
    REQUIRE(load(t, "alpha\nbeta_2\ngamma\n"));
    REQUIRE(t.size() == 3);
    CHECK(std::strcmp(t.name(0), "alpha") == 0);
    CHECK(std::strcmp(t.name(2), "gamma") == 0);
    REQUIRE(load(t, "one\ntwo")); // no final newline
    CHECK(t.size() == 2);

    for (const char* bad :
         {"", "\n", "a\n\nb\n", "a b\n", "A\n", "a\na\n", "x;y\n", "@@ test=x\n"}) {
        INFO(bad);
        CHECK_FALSE(load(t, bad));
        CHECK(t.size() == 0);
    }
    CHECK_FALSE(load(t, std::string(TestTable::MAX_NAME, 'a')));
    std::string many;
    for (size_t i = 0; i <= TestTable::MAX_TESTS; ++i)
        many += "t" + std::to_string(i) + "\n";
    CHECK_FALSE(load(t, many));
}

TEST_CASE("results are told in table order: an early result waits for the ones before it") {
    TestTable t;
    REQUIRE(load(t, "a\nb\nc\n"));
    REQUIRE(t.record("b", true, nullptr));
    CHECK(t.next_in_order() == -1); // a has not reported
    REQUIRE(t.record("a", false, "it broke"));
    CHECK(t.next_in_order() == 0);
    CHECK(t.outcome(0) == TestTable::Outcome::fail);
    CHECK(std::strcmp(t.reason(0), "it broke") == 0);
    CHECK(t.next_in_order() == 1);
    CHECK(t.outcome(1) == TestTable::Outcome::pass);
    CHECK(t.next_in_order() == -1);
    CHECK(t.next_untold() == 2);
    CHECK(t.outcome(2) == TestTable::Outcome::fail);
    CHECK(std::strstr(t.reason(2), "not reported") != nullptr);
    CHECK(t.next_untold() == -1);
}

TEST_CASE("the first report of a test counts, unknown names are refused") {
    TestTable t;
    REQUIRE(load(t, "a\nb\n"));
    CHECK(t.record("a", false, "first"));
    CHECK_FALSE(t.record("a", true, nullptr));
    CHECK(t.outcome(0) == TestTable::Outcome::fail);
    CHECK_FALSE(t.record("c", true, nullptr));
    CHECK_FALSE(t.record("", true, nullptr));
    std::string long_reason(500, 'r');
    CHECK(t.record("b", false, long_reason.c_str()));
    CHECK(std::strlen(t.reason(1)) == TestTable::MAX_REASON - 1);
}

TEST_CASE("a run that ends early tells what reported, skipping what did not") {
    TestTable t;
    REQUIRE(load(t, "a\nb\nc\n"));
    t.record("c", true, nullptr);
    CHECK(t.next_in_order() == -1);
    CHECK(t.next_reported() == 2);
    CHECK(t.next_reported() == -1);
    CHECK(t.outcome(0) == TestTable::Outcome::pending);
}
