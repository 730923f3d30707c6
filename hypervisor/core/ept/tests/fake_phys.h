// FakePhys: fake physical memory for EPT host tests, a pool of 4 KiB-aligned host pages that
// serves as both the FrameSource and the PhysAccess (as in kernel/core/mem/tests).
#pragma once

#include "hypervisor/core/ept/ept.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace hv::test {

// A pool of `capacity` frames at fake physical addresses BASE, BASE + 4K, ...
class FakePhys final : public FrameSource, public PhysAccess {
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
        REQUIRE(m_used.at((phys - BASE) / 4096)); // no double free
        m_used.at((phys - BASE) / 4096) = false;
    }
    void* to_virt(uint64_t phys) override {
        uint64_t i = (phys - BASE) / 4096;
        if (phys < BASE || i >= m_pages.size())
            FAIL("EPT code touched physical " << std::hex << phys << ", not a table frame");
        return m_pages[i] + phys % 4096;
    }
    size_t frames_used() const {
        size_t n = 0;
        for (bool u : m_used)
            n += u;
        return n;
    }
    EptEntry* table(uint64_t phys) { return static_cast<EptEntry*>(to_virt(phys)); }
    // The PD that maps guest-physical [0, 1 GiB) (PML4[0] -> PDPT[0] -> PD).
    EptEntry* pd0(const Ept& ept) {
        return table(table(table(ept.root())[0].address())[0].address());
    }

  private:
    std::vector<uint8_t*> m_pages;
    std::vector<bool> m_used;
};

} // namespace hv::test
