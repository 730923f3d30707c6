// Shared helpers of the ELF loader tests: fake sinks, a synthetic executable builder.
#pragma once

#include "core/elf/elf_loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace elf_test {

using namespace kern;

inline std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE(f.good());
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// A fake address space: whole pages with their permissions, recording every call.
struct FakeSink final : SegmentSink {
    struct Page {
        std::vector<uint8_t> bytes = std::vector<uint8_t>(4096, 0xcc); // map_zeroed must zero
        bool writable = false, executable = false;
    };
    std::map<uint64_t, Page> pages;
    std::vector<std::string> calls;
    int fail_at = -1; // index of the call that fails, or -1

    Result<void> map_zeroed(uint64_t va, uint64_t bytes, bool w, bool x) override {
        calls.push_back("map " + std::to_string(va) + " " + std::to_string(bytes) +
                        (w ? " w" : "") + (x ? " x" : ""));
        if (int(calls.size()) - 1 == fail_at) return Error{Errc::no_memory, "fake: out of frames"};
        CHECK(va % 4096 == 0);
        CHECK(bytes % 4096 == 0);
        CHECK(bytes > 0);
        for (uint64_t p = va; p < va + bytes; p += 4096) {
            CHECK(pages.count(p) == 0); // never mapped twice
            Page& pg = pages[p];
            std::fill(pg.bytes.begin(), pg.bytes.end(), 0);
            pg.writable = w;
            pg.executable = x;
        }
        return {};
    }
    Result<void> copy_to(uint64_t va, const uint8_t* src, uint64_t n) override {
        calls.push_back("copy " + std::to_string(va) + " " + std::to_string(n));
        if (int(calls.size()) - 1 == fail_at) return Error{Errc::no_memory, "fake: copy failed"};
        for (uint64_t i = 0; i < n; ++i) {
            auto it = pages.find((va + i) & ~uint64_t{4095});
            REQUIRE(it != pages.end()); // copy only into mapped memory
            it->second.bytes[(va + i) & 4095] = src[i];
        }
        return {};
    }
    uint8_t at(uint64_t va) const { return pages.at(va & ~uint64_t{4095}).bytes[va & 4095]; }
};

/// Touches every byte it is given (so ASan sees any out-of-bounds source) and stores nothing.
struct ReadingSink final : SegmentSink {
    unsigned sum = 0;
    Result<void> map_zeroed(uint64_t, uint64_t, bool, bool) override { return {}; }
    Result<void> copy_to(uint64_t, const uint8_t* src, uint64_t n) override {
        for (uint64_t i = 0; i < n; ++i)
            sum += src[i];
        return {};
    }
};

/// A small valid static executable: text R+X at 0x400000, data+bss R+W at 0x401000.
struct Synth {
    Elf64_Ehdr h{};
    std::vector<Elf64_Phdr> ph;
    size_t size = 0x3000;

    Synth() {
        std::memcpy(h.e_ident, ELFMAG, 4);
        h.e_ident[EI_CLASS] = ELFCLASS64;
        h.e_ident[EI_DATA] = ELFDATA2LSB;
        h.e_ident[EI_VERSION] = EV_CURRENT;
        h.e_type = ET_EXEC;
        h.e_machine = EM_X86_64;
        h.e_version = EV_CURRENT;
        h.e_entry = 0x400100;
        h.e_phoff = sizeof(Elf64_Ehdr);
        h.e_ehsize = sizeof(Elf64_Ehdr);
        h.e_phentsize = sizeof(Elf64_Phdr);
        ph.push_back({PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x800, 0x800, 0x1000});
        ph.push_back({PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x401000, 0x100, 0x2100, 0x1000});
        ph.push_back({PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 0x10});
    }
    std::vector<uint8_t> bytes() {
        std::vector<uint8_t> b(size);
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = uint8_t(i * 7 + (i >> 8) + 1);
        if (h.e_phnum == 0) h.e_phnum = uint16_t(ph.size());
        std::memcpy(b.data(), &h, sizeof h);
        for (size_t i = 0; i < ph.size(); ++i)
            std::memcpy(b.data() + 64 + 56 * i, &ph[i], 56);
        return b;
    }
};

inline Result<ElfImage> parse(const std::vector<uint8_t>& b,
                              const ElfLimits& l = ELF_DEFAULT_LIMITS) {
    return elf_parse(b.data(), b.size(), l);
}

inline const ElfSegment* segment_at(const ElfImage& im, uint64_t va) {
    for (size_t i = 0; i < im.segment_count; ++i)
        if (va >= im.segments[i].vaddr && va - im.segments[i].vaddr < im.segments[i].memsz)
            return &im.segments[i];
    return nullptr;
}

} // namespace elf_test

/// Checks that @p result is a failure with code @p errc and a message containing @p text.
#define CHECK_REFUSED(result, errc, text)                                                          \
    do {                                                                                           \
        auto _r = (result);                                                                        \
        REQUIRE_FALSE(_r.ok());                                                                    \
        INFO("message: " << _r.error().what);                                                      \
        CHECK(_r.error().code == (errc));                                                          \
        CHECK(std::string(_r.error().what).find(text) != std::string::npos);                       \
    } while (0)

using namespace kern;
using namespace elf_test;
