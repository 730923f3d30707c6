// DirtyLog: which 4 KiB pages of guest RAM a guest has written since the log was armed, kept
// with the EPT the way a hypervisor tracks the memory a live migration or a checkpoint must copy
// again. Arming write-protects guest RAM in the EPT (read and execute stay allowed); the guest's
// first write to each page is an EPT violation, whose handler marks the page and gives it back
// its write access (lab 6, step 3: ept_violation.h), so each page costs one exit per round.
#pragma once

#include "hypervisor/core/ept/ept.h"

#include <stdint.h>

namespace hv {

struct ExitEnv;

/// A bitmap over the pages of guest RAM at guest-physical 0.
class DirtyLog {
  public:
    /// The largest guest RAM a log covers: 64 MiB (a 2 KiB bitmap, kept in the log itself).
    static constexpr uint64_t MAX_PAGES = 16384;

    /// A log over @p pages pages of guest RAM (at most MAX_PAGES; more are ignored).
    explicit constexpr DirtyLog(uint64_t pages = 0)
        : m_pages(pages < MAX_PAGES ? pages : MAX_PAGES) {}

    /// Pages the log covers.
    uint64_t pages() const { return m_pages; }
    /// Record a write to page @p page (its guest-physical address >> 12); false if the log does
    /// not cover it.
    bool mark(uint64_t page) {
        if (page >= m_pages) return false;
        m_bits[page / 64] |= uint64_t{1} << (page % 64);
        return true;
    }
    /// Whether page @p page was written since the last clear().
    bool dirty(uint64_t page) const {
        return page < m_pages && (m_bits[page / 64] >> (page % 64)) & 1;
    }
    /// How many pages are marked.
    uint64_t count() const {
        uint64_t n = 0;
        for (uint64_t w : m_bits)
            for (; w; w &= w - 1) // clears the lowest set bit (no popcount in the kernel's libgcc)
                ++n;
        return n;
    }
    /// Forget every mark.
    void clear() {
        for (uint64_t& w : m_bits)
            w = 0;
    }

  private:
    uint64_t m_bits[MAX_PAGES / 64] = {};
    uint64_t m_pages = 0;
};

/// Start a round of dirty logging: clear @p log and write-protect the guest RAM it covers in
/// @p ept (EPT_READ | EPT_EXECUTE, splitting nothing when RAM is whole 2 MiB pages). The caller
/// invalidates the EPT's cached translations (INVEPT) before the guest runs again.
inline Result<void> arm_dirty_log(Ept& ept, DirtyLog& log) {
    log.clear();
    return ept.protect(0, log.pages() * kern::PAGE_SIZE, EPT_READ | EPT_EXECUTE);
}

} // namespace hv
