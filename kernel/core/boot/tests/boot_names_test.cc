// Tables of registered boot names (kernel/hooks.h: BOOT_OPTION, BOOT_DATA_MODULE): lookup of an
// option's key and of a module string's first word, whole names only.
#include "core/boot/boot_names.h"

#include <catch2/catch.hpp>
#include <iterator>
#include <string>

using kern::BootName;
using kern::BootNames;

namespace {
const BootName OPTIONS[] = {
    {"slave", "slave=linux"}, {"slave_run", "slave_run=NAME"}, {"cpus", "cpus=N"}};
const BootName MODULES[] = {
    {"slave-kernel", "bzImage"}, {"slave-initrd", "initramfs"}, {"grade-tests", "test names"}};
const BootNames OPTS(std::begin(OPTIONS), std::end(OPTIONS));
const BootNames MODS(std::begin(MODULES), std::end(MODULES));
} // namespace

TEST_CASE("an option is found by its whole key, with its help") {
    REQUIRE(OPTS.find("slave_run") != nullptr);
    CHECK(std::string(OPTS.find("slave_run")->help) == "slave_run=NAME");
    CHECK(std::string(OPTS.find("slave")->help) == "slave=linux");
    CHECK(OPTS.has("cpus"));
    CHECK_FALSE(OPTS.has("slave_"));
    CHECK_FALSE(OPTS.has("slave_run_more"));
    CHECK_FALSE(OPTS.has("cpu"));
    CHECK_FALSE(OPTS.has(""));
    CHECK_FALSE(BootNames(nullptr, nullptr).has("cpus"));
}

TEST_CASE("a module string names a data module by its whole first word") {
    CHECK(MODS.names_module("slave-kernel"));
    CHECK(MODS.names_module("slave-initrd"));
    CHECK(MODS.names_module("grade-tests"));
    CHECK(MODS.names_module("slave-kernel some args"));
    CHECK_FALSE(MODS.names_module("slave-kernelx"));
    CHECK_FALSE(MODS.names_module("slave-"));
    CHECK_FALSE(MODS.names_module("slave-other"));
    CHECK_FALSE(MODS.names_module("grade"));
    CHECK_FALSE(MODS.names_module("logger slave-kernel"));
    CHECK_FALSE(MODS.names_module(""));
    CHECK_FALSE(BootNames(nullptr, nullptr).names_module("slave-kernel"));
}
