// REQUIRE_OK(expr): a Catch2 REQUIRE that a kern::Result succeeded, showing the error's code and
// message when it did not.
#pragma once

#include "core/result.h"

#include <catch2/catch.hpp>

#define REQUIRE_OK(expr)                                                                           \
    do {                                                                                           \
        auto _r = (expr);                                                                          \
        INFO(#expr << ": " << ::kern::errc_name(_r.error().code) << " " << _r.error().what);       \
        REQUIRE(_r.ok());                                                                          \
    } while (0)
