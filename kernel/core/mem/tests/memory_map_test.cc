// Memory-map normalisation (infrastructure): messy firmware maps in, clean ranges out.
#include "core/mem/memory_map.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace kern;

namespace {
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

std::vector<PhysRange> normalize(std::vector<FirmwareMemEntry> map,
                                 std::vector<PhysRange> reserved = {}) {
    PhysRange out[MAX_RANGES];
    auto n = normalize_memory_map(map.data(), map.size(), reserved.data(), reserved.size(), out,
                                  MAX_RANGES);
    INFO(n.error().what);
    REQUIRE(n.ok());
    return std::vector<PhysRange>(out, out + n.value());
}

using Ranges = std::vector<PhysRange>;
} // namespace

namespace kern {
// For comparing vectors of ranges (found by argument-dependent lookup).
bool operator==(const PhysRange& a, const PhysRange& b) {
    return a.base == b.base && a.end == b.end;
}
} // namespace kern

namespace Catch {
template <> struct StringMaker<PhysRange> {
    static std::string convert(const PhysRange& r) {
        char buf[64];
        snprintf(buf, sizeof buf, "[%#llx, %#llx)", (unsigned long long)r.base,
                 (unsigned long long)r.end);
        return buf;
    }
};
} // namespace Catch

TEST_CASE("a typical BIOS map comes out sorted, with its holes") {
    auto r = normalize({{1 * MiB, 127 * MiB, 1},
                        {0, 640 * KiB, 1},
                        {640 * KiB, 384 * KiB, 2},
                        {4 * GiB - 256 * MiB, 256 * MiB, 2},
                        {4 * GiB, 1 * GiB, 1}});
    CHECK(r == Ranges{{0, 640 * KiB}, {1 * MiB, 128 * MiB}, {4 * GiB, 5 * GiB}});
    MemoryTotals t = memory_totals(r.data(), r.size());
    CHECK(t.usable_bytes == 640 * KiB + 127 * MiB + 1 * GiB);
    CHECK(t.usable_end == 5 * GiB);
}

TEST_CASE("overlapping and touching available entries merge") {
    CHECK(normalize({{0x10000, 0x10000, 1}, {0x18000, 0x10000, 1}, {0x28000, 0x1000, 1}}) ==
          Ranges{{0x10000, 0x29000}});
    CHECK(normalize({{0x100000, 0x100000, 1}, {0x100000, 0x100000, 1}}) ==
          Ranges{{0x100000, 0x200000}});
}

TEST_CASE("reserved wins over available, whatever the order") {
    Ranges expected{{0x100000, 0x180000}, {0x190000, 0x200000}};
    CHECK(normalize({{0x100000, 0x100000, 1}, {0x180000, 0x10000, 2}}) == expected);
    CHECK(normalize({{0x180000, 0x10000, 3}, {0x100000, 0x100000, 1}}) == expected);
    // A reserved entry overlapping two available ones trims both.
    CHECK(normalize({{0x0, 0x10000, 1}, {0x20000, 0x10000, 1}, {0x8000, 0x20000, 4}}) ==
          Ranges{{0x0, 0x8000}, {0x28000, 0x30000}});
}

TEST_CASE("extra reserved ranges split, trim and remove usable ranges") {
    auto r = normalize({{0, 640 * KiB, 1}, {1 * MiB, 63 * MiB, 1}},
                       {{0, 1 * MiB},                 // low memory, trampoline
                        {2 * MiB, 3 * MiB + 100},     // kernel image, unaligned end
                        {10 * MiB + 5, 10 * MiB + 6}, // a one-byte module
                        {60 * MiB, 80 * MiB}});       // framebuffer past the end of RAM
    CHECK(r == Ranges{{1 * MiB, 2 * MiB},
                      {3 * MiB + 4 * KiB, 10 * MiB},
                      {10 * MiB + 4 * KiB, 60 * MiB}});
}

TEST_CASE("unaligned available ranges are rounded inwards") {
    CHECK(normalize({{0x1001, 0x3000, 1}}) == Ranges{{0x2000, 0x4000}});
    CHECK(normalize({{0x1001, 0x1000, 1}}).empty()); // no whole page inside
}

TEST_CASE("zero-length and wrapping entries") {
    CHECK(normalize({{0x1000, 0, 1}, {0x5000, 0, 2}}).empty());
    CHECK(normalize({{0x0, 0x10000, 1}, {0x4000, 0, 2}}) == Ranges{{0x0, 0x10000}});
    // base + length wraps past 2^64: an available one is ignored...
    CHECK(normalize({{0xfffff000, UINT64_MAX, 1}, {0x1000, 0x1000, 1}}) ==
          Ranges{{0x1000, 0x2000}});
    // ...a reserved one reserves everything above its base.
    CHECK(normalize({{0, 1 * GiB, 1}, {512 * MiB, UINT64_MAX, 2}}) == Ranges{{0, 512 * MiB}});
}

TEST_CASE("RAM above the 52-bit physical address space is ignored") {
    CHECK(normalize({{MAX_PHYS_ADDR - 0x2000, 0x10000, 1}, {MAX_PHYS_ADDR + 0x1000, 0x1000, 1}}) ==
          Ranges{{MAX_PHYS_ADDR - 0x2000, MAX_PHYS_ADDR}});
}

TEST_CASE("too many ranges for the output array is an error") {
    std::vector<FirmwareMemEntry> map;
    for (uint64_t i = 0; i < 10; ++i)
        map.push_back({i * 0x10000, 0x1000, 1});
    PhysRange out[8];
    auto n = normalize_memory_map(map.data(), map.size(), nullptr, 0, out, 8);
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == Errc::no_memory);

    // A split needs a slot too.
    FirmwareMemEntry one{0, 0x10000, 1};
    PhysRange hole{0x4000, 0x5000};
    CHECK(normalize_memory_map(&one, 1, &hole, 1, out, 1).error().code == Errc::no_memory);
    CHECK(normalize_memory_map(&one, 1, &hole, 1, out, 2).value() == 2);
}

TEST_CASE("a reserved range that ends before it starts is refused") {
    FirmwareMemEntry one{0, 0x10000, 1};
    PhysRange bad{0x5000, 0x4000};
    PhysRange out[4];
    CHECK(normalize_memory_map(&one, 1, &bad, 1, out, 4).error().code == Errc::invalid_argument);
}
