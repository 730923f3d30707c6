// The multiboot2 parser against well-formed and malformed boot information.
#include "core/boot/multiboot2.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace kern;

namespace {
/// Builds a multiboot2 information block tag by tag (multiboot2 spec 3.6).
struct Builder {
    std::vector<uint8_t> b = std::vector<uint8_t>(8, 0);

    void u32(uint32_t v) { b.insert(b.end(), (uint8_t*)&v, (uint8_t*)&v + 4); }
    void u64(uint64_t v) { b.insert(b.end(), (uint8_t*)&v, (uint8_t*)&v + 8); }
    void pad() {
        while (b.size() % 8)
            b.push_back(0);
    }
    void string_tag(uint32_t type, const char* s) {
        u32(type);
        u32(uint32_t(8 + std::strlen(s) + 1));
        b.insert(b.end(), s, s + std::strlen(s) + 1);
        pad();
    }
    void mmap(std::vector<MemoryMapEntry> es) {
        u32(6);
        u32(uint32_t(16 + 24 * es.size()));
        u32(24);
        u32(0);
        for (auto& e : es) {
            u64(e.base);
            u64(e.length);
            u32(e.type);
            u32(0);
        }
        pad();
    }
    std::vector<uint8_t>& finish() {
        u32(0);
        u32(8);
        uint32_t total = uint32_t(b.size());
        std::memcpy(b.data(), &total, 4);
        return b;
    }
};

// The parser requires 8-byte alignment, as GRUB guarantees.
struct Aligned {
    alignas(8) uint8_t bytes[4096];
    explicit Aligned(const std::vector<uint8_t>& v) { std::memcpy(bytes, v.data(), v.size()); }
};
} // namespace

TEST_CASE("a well-formed boot information block is decoded") {
    Builder bld;
    bld.string_tag(1, "test=lab1 exit=emu");
    bld.string_tag(2, "GRUB 2.06");
    bld.mmap({{0, 0x9fc00, 1}, {0x100000, 0x7f00000, 1}, {0xfffc0000, 0x40000, 2}});
    Aligned a(bld.finish());
    BootInfo info;
    auto r = parse_multiboot2(a.bytes, sizeof a.bytes, info);
    REQUIRE(r.ok());
    CHECK(std::string(info.cmdline) == "test=lab1 exit=emu");
    CHECK(std::string(info.loader_name) == "GRUB 2.06");
    REQUIRE(info.mmap_count == 3);
    CHECK(info.mmap[1].base == 0x100000);
    CHECK(info.mmap[2].type == 2);
    CHECK(info.display == BootInfo::Display::none);
}

TEST_CASE("malformed boot information is refused with a reason") {
    BootInfo info;
    SECTION("null pointer") {
        auto r = parse_multiboot2(nullptr, 4096, info);
        CHECK(r.error().code == Errc::invalid_argument);
    }
    SECTION("a tag running past total_size") {
        Builder bld;
        bld.string_tag(1, "x");
        auto& v = bld.finish();
        uint32_t huge = 4000;
        std::memcpy(v.data() + 8 + 4, &huge, 4); // first tag's size
        Aligned a(v);
        auto r = parse_multiboot2(a.bytes, sizeof a.bytes, info);
        CHECK(r.error().code == Errc::corrupt);
        CHECK(std::string(r.error().what).find("total_size") != std::string::npos);
    }
    SECTION("no end tag") {
        Builder bld;
        bld.mmap({{0x100000, 0x100000, 1}});
        uint32_t total = uint32_t(bld.b.size());
        std::memcpy(bld.b.data(), &total, 4);
        Aligned a(bld.b);
        CHECK(parse_multiboot2(a.bytes, sizeof a.bytes, info).error().code == Errc::corrupt);
    }
    SECTION("an unterminated command line") {
        Builder bld;
        bld.u32(1);
        bld.u32(12);
        bld.b.insert(bld.b.end(), {'a', 'b', 'c', 'd'});
        bld.pad();
        bld.mmap({{0x100000, 0x100000, 1}});
        Aligned a(bld.finish());
        CHECK(parse_multiboot2(a.bytes, sizeof a.bytes, info).error().code == Errc::corrupt);
    }
    SECTION("no memory map") {
        Builder bld;
        bld.string_tag(1, "");
        Aligned a(bld.finish());
        auto r = parse_multiboot2(a.bytes, sizeof a.bytes, info);
        CHECK(r.error().code == Errc::not_found);
    }
    SECTION("total_size larger than the caller can map") {
        Builder bld;
        bld.mmap({{0x100000, 0x100000, 1}});
        Aligned a(bld.finish());
        CHECK(parse_multiboot2(a.bytes, 16, info).error().code == Errc::corrupt);
    }
}

TEST_CASE("framebuffer tag: RGB and EGA text") {
    Builder bld;
    bld.mmap({{0x100000, 0x100000, 1}});
    // type 8: addr, pitch, width, height, bpp, type, reserved, then RGB field positions/sizes.
    bld.u32(8);
    bld.u32(38);
    bld.u64(0xfd000000);
    bld.u32(4096);
    bld.u32(1024);
    bld.u32(768);
    bld.b.insert(bld.b.end(), {32, 1, 0, 0, 16, 8, 8, 8, 0, 8});
    bld.pad();
    Aligned a(bld.finish());
    BootInfo info;
    REQUIRE(parse_multiboot2(a.bytes, sizeof a.bytes, info).ok());
    REQUIRE(info.display == BootInfo::Display::rgb);
    CHECK(info.framebuffer.addr == 0xfd000000);
    CHECK(info.framebuffer.width == 1024);
    CHECK(info.framebuffer.bpp == 32);
    CHECK(info.framebuffer.red_pos == 16);
    CHECK(info.framebuffer.blue_size == 8);
}
