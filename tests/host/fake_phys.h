// FakePhys: fake physical memory for host tests of page-table builders (lab 1's PageTable,
// lab 6's Ept): a pool of 4 KiB-aligned host pages at fake physical addresses BASE, BASE + 4K,
// ..., serving as both the FrameSource and the PhysAccess. `Entry` is the table-entry type
// table() returns (kern::Pte, hv::EptEntry).
#pragma once

#include "core/mem/page_table.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kern::test {

template <typename Entry> class FakePhys : public FrameSource, public PhysAccess {
  public:
    static constexpr uint64_t BASE = 0x4000'0000;

    explicit FakePhys(size_t capacity) : m_pages(capacity, nullptr), m_used(capacity, false) {
        for (auto& p : m_pages)
            p = static_cast<uint8_t*>(std::aligned_alloc(4096, 4096));
    }
    ~FakePhys() {
        for (auto* p : m_pages)
            std::free(p);
    }
    FakePhys(const FakePhys&) = delete;
    FakePhys& operator=(const FakePhys&) = delete;

    Result<uint64_t> alloc_zeroed_frame() override {
        for (size_t i = 0; i < m_pages.size(); ++i) {
            if (!m_used[i]) {
                m_used[i] = true;
                std::memset(m_pages[i], 0, 4096);
                return BASE + i * 4096;
            }
        }
        return Error{Errc::no_memory, "fake physical memory exhausted"};
    }
    void free_frame(uint64_t phys) override {
        REQUIRE(m_used.at((phys - BASE) / 4096)); // a double free is a bug in the code under test
        m_used.at((phys - BASE) / 4096) = false;
    }
    void* to_virt(uint64_t phys) override {
        uint64_t i = (phys - BASE) / 4096;
        if (phys < BASE || i >= m_pages.size())
            FAIL("table code touched physical " << std::hex << phys << ", not a table frame");
        return m_pages[i] + phys % 4096;
    }
    /// Frames handed out and not freed.
    size_t frames_used() const {
        size_t n = 0;
        for (bool u : m_used)
            n += u;
        return n;
    }
    /// The table at physical `phys`, as entries.
    Entry* table(uint64_t phys) { return static_cast<Entry*>(to_virt(phys)); }

  private:
    std::vector<uint8_t*> m_pages;
    std::vector<bool> m_used;
};

} // namespace kern::test
