#include "core/result.h"

#include <catch2/catch.hpp>

using namespace kern;

namespace {
Result<int> half(int x) {
    if (x % 2) return Error{Errc::invalid_argument, "odd"};
    return x / 2;
}
Result<int> quarter(int x) {
    int h = TRY(half(x));
    return TRY(half(h));
}
} // namespace

TEST_CASE("TRY propagates the first error and its message") {
    REQUIRE(quarter(8).ok());
    CHECK(quarter(8).value() == 2);
    auto r = quarter(6);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(std::string(errc_name(r.error().code)) == "invalid_argument");
}
