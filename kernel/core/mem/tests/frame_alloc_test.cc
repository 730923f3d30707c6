// Lab 1: the bitmap frame allocator, fed with a normalised memory map.
#include "core/mem/frame_alloc.h"
#include "core/mem/memory_map.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

using namespace kern;

namespace {
constexpr uint64_t MiB = 1024 * 1024;

// 16 MiB of "RAM": available [0, 640K) and [1M, 16M), a firmware hole at [8M, 9M), the
// kernel image at [1M, 2M) and a module at [4M, 4M + 8K) reserved.
struct Machine {
    PhysRange usable[MAX_RANGES];
    size_t n = 0;
    std::vector<uint8_t> bitmap;
    FrameAllocator fa;

    Machine() {
        FirmwareMemEntry map[] = {
            {0, 640 * 1024, 1}, {1 * MiB, 15 * MiB, 1}, {8 * MiB, 1 * MiB, 2}};
        PhysRange reserved[] = {{1 * MiB, 2 * MiB}, {4 * MiB, 4 * MiB + 8192}};
        n = normalize_memory_map(map, 3, reserved, 2, usable, MAX_RANGES).value();
        bitmap.resize(FrameAllocator::bitmap_bytes_for(memory_totals(usable, n).usable_end));
    }
    bool usable_frame(uint64_t phys) const {
        for (size_t i = 0; i < n; ++i)
            if (phys >= usable[i].base && phys + PAGE_SIZE <= usable[i].end) return true;
        return false;
    }
    uint64_t usable_frames() const { return memory_totals(usable, n).usable_bytes / PAGE_SIZE; }
};

} // namespace

TEST_CASE("init frees exactly the usable frames, except frame 0", "[lab1]") {
    Machine m;
    CHECK(m.bitmap.size() == 16 * MiB / PAGE_SIZE / 8);
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    CHECK(m.fa.frame_count() == m.bitmap.size() * 8);
    CHECK(m.fa.free_frames() == m.usable_frames() - 1); // frame 0 is usable but kept
    CHECK_FALSE(m.fa.is_free(0));
    CHECK(m.fa.is_free(0x1000));
    CHECK_FALSE(m.fa.is_free(0xa0000));          // the 640K-1M hole
    CHECK_FALSE(m.fa.is_free(1 * MiB));          // the kernel
    CHECK_FALSE(m.fa.is_free(8 * MiB + 0x5000)); // the firmware hole
    CHECK(m.fa.is_free(16 * MiB - PAGE_SIZE));
    CHECK_FALSE(m.fa.is_free(16 * MiB)); // beyond the bitmap
    // init starts over: a second one, after some allocations, counts the same free frames.
    REQUIRE(m.fa.alloc().ok());
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    CHECK(m.fa.free_frames() == m.usable_frames() - 1);
    CHECK(m.fa.is_free(0x1000));
}

TEST_CASE("frames are unique and usable until exhaustion", "[lab1]") {
    Machine m;
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    size_t expected = m.fa.free_frames();
    REQUIRE(expected > 3000);
    std::set<uint64_t> seen;
    uint64_t last = 0;
    for (;;) {
        auto f = m.fa.alloc();
        if (!f.ok()) {
            CHECK(f.error().code == Errc::no_memory);
            break;
        }
        uint64_t p = f.value();
        REQUIRE(p != 0);
        REQUIRE(p % PAGE_SIZE == 0);
        REQUIRE(m.usable_frame(p));
        REQUIRE(seen.insert(p).second);
        REQUIRE(p > last); // lowest free first: increasing when nothing is freed
        last = p;
        REQUIRE(seen.size() <= expected);
    }
    CHECK(seen.size() == expected);
    CHECK(m.fa.free_frames() == 0);
    CHECK(m.fa.alloc().error().code == Errc::no_memory);
}

TEST_CASE("a freed frame is handed out again, lowest first", "[lab1]") {
    Machine m;
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    CHECK(m.fa.alloc().value() == 0x1000);
    CHECK(m.fa.alloc().value() == 0x2000);
    CHECK(m.fa.alloc().value() == 0x3000);
    size_t before = m.fa.free_frames();
    REQUIRE_OK(m.fa.free(0x2000));
    CHECK(m.fa.is_free(0x2000));
    CHECK(m.fa.free_frames() == before + 1);
    CHECK(m.fa.alloc().value() == 0x2000);
    CHECK(m.fa.alloc().value() == 0x4000);
    CHECK(m.fa.free_frames() == before - 1);
    // Frames 1-16 in use (two whole bytes of the bitmap, and frame 16), then 3 and 16 freed: 3
    // first, then 16, the first frame after two full bytes.
    for (uint64_t f = 5; f <= 16; ++f)
        CHECK(m.fa.alloc().value() == f * PAGE_SIZE);
    REQUIRE_OK(m.fa.free(16 * PAGE_SIZE));
    REQUIRE_OK(m.fa.free(3 * PAGE_SIZE));
    CHECK(m.fa.alloc().value() == 3 * PAGE_SIZE);
    CHECK(m.fa.alloc().value() == 16 * PAGE_SIZE);
}

TEST_CASE("bad frees are refused and change nothing", "[lab1]") {
    Machine m;
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    uint64_t p = m.fa.alloc().value();
    REQUIRE_OK(m.fa.free(p));
    size_t before = m.fa.free_frames();

    auto twice = m.fa.free(p);
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().code == Errc::invalid_argument);
    CHECK(std::string(twice.error().what).find("0x0000000000001000") != std::string::npos);

    CHECK(m.fa.free(0x3001).error().code == Errc::invalid_argument);   // unaligned
    CHECK(m.fa.free(0).error().code == Errc::invalid_argument);        // frame 0
    CHECK(m.fa.free(64 * MiB).error().code == Errc::invalid_argument); // beyond the bitmap
    CHECK(m.fa.free(0x5000).error().code == Errc::invalid_argument);   // free, never allocated
    CHECK(m.fa.free_frames() == before);
}

TEST_CASE("contiguous runs respect alignment and holes", "[lab1]") {
    Machine m;
    REQUIRE_OK(m.fa.init(m.usable, m.n, m.bitmap.data(), m.bitmap.size()));
    size_t before = m.fa.free_frames();

    // 4 frames, page-aligned: the lowest run is right after frame 0.
    CHECK(m.fa.alloc_contiguous(4, 0).value() == 0x1000);
    // 2 MiB aligned, 2 MiB long: [0, 2M) has frame 0 and the kernel, so 2M.
    uint64_t big = m.fa.alloc_contiguous(512, 2 * MiB).value();
    CHECK(big == 2 * MiB);
    // 2 MiB more, 1 MiB aligned: [4M, 4M+8K) is the module, so the run starts at 5M.
    CHECK(m.fa.alloc_contiguous(512, 1 * MiB).value() == 5 * MiB);
    // Runs never cross the firmware hole at [8M, 9M): 1 MiB aligned 2 MiB must start at 9M.
    CHECK(m.fa.alloc_contiguous(512, 1 * MiB).value() == 9 * MiB);
    CHECK(m.fa.free_frames() == before - 4 - 3 * 512);
    for (uint64_t f = big; f < big + 2 * MiB; f += PAGE_SIZE)
        CHECK_FALSE(m.fa.is_free(f));

    CHECK(m.fa.alloc_contiguous(0, 0).error().code == Errc::invalid_argument);
    CHECK(m.fa.alloc_contiguous(1, 3 * PAGE_SIZE).error().code == Errc::invalid_argument);
    CHECK(m.fa.alloc_contiguous(1, 6).error().code == Errc::invalid_argument);
    // Alignments of 1 to 4096 bytes mean page alignment.
    uint64_t one = m.fa.alloc_contiguous(1, 1).value();
    CHECK(one % PAGE_SIZE == 0);
    REQUIRE_OK(m.fa.free(one));
    CHECK(m.fa.alloc_contiguous(4096, 0).error().code == Errc::no_memory);
    CHECK(m.fa.free_frames() == before - 4 - 3 * 512);

    // A run that starts right after a used frame is found: frames 1, 3 and 4 free, 2 used.
    Machine n;
    REQUIRE_OK(n.fa.init(n.usable, n.n, n.bitmap.data(), n.bitmap.size()));
    REQUIRE(n.fa.alloc_contiguous(4, 0).value() == 0x1000);
    REQUIRE_OK(n.fa.free(0x1000));
    REQUIRE_OK(n.fa.free(0x3000));
    REQUIRE_OK(n.fa.free(0x4000));
    CHECK(n.fa.alloc_contiguous(2, 0).value() == 0x3000);
}

TEST_CASE("init checks the ranges before touching the bitmap", "[lab1]") {
    std::vector<uint8_t> bitmap(64, 0x5a); // covers 2 MiB
    FrameAllocator fa;
    PhysRange unaligned{0x1000, 0x2800};
    CHECK(fa.init(&unaligned, 1, bitmap.data(), bitmap.size()).error().code ==
          Errc::invalid_argument);
    PhysRange too_high{0x100000, 0x400000};
    CHECK(fa.init(&too_high, 1, bitmap.data(), bitmap.size()).error().code ==
          Errc::invalid_argument);
    CHECK(bitmap == std::vector<uint8_t>(64, 0x5a));
    CHECK(fa.init(nullptr, 0, nullptr, 0).error().code == Errc::invalid_argument);

    // Overlapping ranges count each frame once.
    PhysRange twice[] = {{0x0, 0x10000}, {0x8000, 0x20000}};
    REQUIRE_OK(fa.init(twice, 2, bitmap.data(), bitmap.size()));
    CHECK(fa.free_frames() == 0x20000 / PAGE_SIZE - 1);
}
