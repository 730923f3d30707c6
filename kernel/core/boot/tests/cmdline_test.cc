// Kernel command-line parsing: known options kept, unknown ones reported, boot goes on.
#include "core/boot/cmdline.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using kern::CommandLine;

namespace {
std::vector<std::string> g_warned;
void warn(const char* opt) {
    g_warned.push_back(opt);
}
} // namespace

TEST_CASE("options, flags and unknown options") {
    g_warned.clear();
    CommandLine c;
    c.parse("  test=lab1   exit=emu quiet bogus=1 cpus=2 ", warn);
    CHECK(std::string(c.get("test")) == "lab1");
    CHECK(std::string(c.get("exit")) == "emu");
    CHECK(c.has("quiet"));
    CHECK(std::string(c.get("quiet")) == "");
    CHECK(std::string(c.get("cpus")) == "2");
    CHECK_FALSE(c.has("bogus"));
    CHECK(g_warned == std::vector<std::string>{"bogus"});
}

TEST_CASE("empty and null command lines") {
    CommandLine c;
    c.parse("", warn);
    CHECK_FALSE(c.has("test"));
    c.parse(nullptr, warn);
    CHECK_FALSE(c.has("test"));
}

TEST_CASE("a value may contain '='") {
    CommandLine c;
    c.parse("test=a=b", warn);
    CHECK(std::string(c.get("test")) == "a=b");
}
