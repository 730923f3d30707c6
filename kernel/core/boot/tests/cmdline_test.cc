// Kernel command-line parsing: the options a table of known ones names are kept, the others
// reported, and boot goes on.
#include "core/boot/cmdline.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using kern::BootName;
using kern::BootNames;
using kern::CommandLine;

namespace {
std::vector<std::string> g_warned;
void warn(const char* opt) {
    g_warned.push_back(opt);
}

// What the kernel's registrations would give (kernel/hooks.h), as a plain array.
const BootName KNOWN[] = {{"test", "test=labN"},
                          {"exit", "exit=emu"},
                          {"quiet", "quiet"},
                          {"cpus", "cpus=N"},
                          {"slave", "slave=linux"}};
const BootNames TABLE(std::begin(KNOWN), std::end(KNOWN));
} // namespace

TEST_CASE("options, flags and unknown options") {
    g_warned.clear();
    CommandLine c;
    c.parse("  test=lab1   exit=emu quiet bogus=1 cpus=2 ", TABLE, warn);
    CHECK(std::string(c.get("test")) == "lab1");
    CHECK(std::string(c.get("exit")) == "emu");
    CHECK(c.has("quiet"));
    CHECK(std::string(c.get("quiet")) == "");
    CHECK(std::string(c.get("cpus")) == "2");
    CHECK_FALSE(c.has("bogus"));
    CHECK(g_warned == std::vector<std::string>{"bogus"});
}

TEST_CASE("the table decides what is known: an option no layer registered is reported") {
    g_warned.clear();
    const BootNames kernel_only(std::begin(KNOWN), std::begin(KNOWN) + 4); // without "slave"
    CommandLine c;
    c.parse("slave=linux cpus=2 slave_run=lab7", kernel_only, warn);
    CHECK_FALSE(c.has("slave"));
    CHECK(std::string(c.get("cpus")) == "2");
    CHECK(g_warned == std::vector<std::string>{"slave", "slave_run"});
    g_warned.clear();
    c.parse("slave=linux cpus=2", TABLE, warn);
    CHECK(std::string(c.get("slave")) == "linux");
    CHECK(g_warned.empty());
}

TEST_CASE("options beyond the most kept are reported") {
    g_warned.clear();
    std::string line;
    for (size_t i = 0; i < CommandLine::MAX_OPTIONS; ++i)
        line += "quiet ";
    line += "cpus=3";
    CommandLine c;
    c.parse(line.c_str(), TABLE, warn);
    CHECK_FALSE(c.has("cpus"));
    CHECK(g_warned == std::vector<std::string>{"cpus"});
}

TEST_CASE("empty and null command lines") {
    CommandLine c;
    c.parse("", TABLE, warn);
    CHECK_FALSE(c.has("test"));
    c.parse(nullptr, TABLE, warn);
    CHECK_FALSE(c.has("test"));
}

TEST_CASE("a value may contain '='") {
    CommandLine c;
    c.parse("test=a=b", TABLE, warn);
    CHECK(std::string(c.get("test")) == "a=b");
}

TEST_CASE("a decimal value, or the fallback for anything else") {
    CommandLine c;
    c.parse("cpus=12 test=3x", TABLE, warn);
    CHECK(c.get_u64("cpus", 7) == 12);
    CHECK(c.get_u64("test", 7) == 7); // not all digits
    CHECK(c.get_u64("exit", 7) == 7); // absent
    c.parse("cpus=18446744073709551615 test=18446744073709551616", TABLE, warn);
    CHECK(c.get_u64("cpus", 7) == UINT64_MAX);
    CHECK(c.get_u64("test", 7) == 7); // too large
    c.parse("cpus=", TABLE, warn);
    CHECK(c.get_u64("cpus", 7) == 7);
}

TEST_CASE("a per-slave item: its own, or the last one given") {
    CommandLine c;
    c.parse("test=doorbell,babysat cpus=poll", TABLE, warn);
    char out[16];
    REQUIRE(c.get_item("test", 0, out, sizeof out));
    CHECK(std::string(out) == "doorbell");
    REQUIRE(c.get_item("test", 1, out, sizeof out));
    CHECK(std::string(out) == "babysat");
    REQUIRE(c.get_item("test", 5, out, sizeof out));
    CHECK(std::string(out) == "babysat");
    REQUIRE(c.get_item("cpus", 1, out, sizeof out));
    CHECK(std::string(out) == "poll");
    CHECK_FALSE(c.get_item("exit", 0, out, sizeof out));
    char small[4];
    REQUIRE(c.get_item("test", 0, small, sizeof small));
    CHECK(std::string(small) == "doo");
}
