// Page-size arithmetic and physical address ranges, shared by the memory code.
#pragma once

#include <stdint.h>

namespace kern {

/// log2 of the base page size.
inline constexpr uint64_t PAGE_SHIFT = 12;
/// The base page (and physical frame) size: 4 KiB.
inline constexpr uint64_t PAGE_SIZE = uint64_t{1} << PAGE_SHIFT;
/// One past the highest physical address x86-64 can have: MAXPHYADDR is at most 52
/// (SDM Vol 3A 4.1.4). Firmware ranges above it are ignored, which also keeps all range
/// arithmetic below 2^64.
inline constexpr uint64_t MAX_PHYS_ADDR = uint64_t{1} << 52;

/// @p addr rounded down to a page boundary.
constexpr uint64_t page_round_down(uint64_t addr) {
    return addr & ~(PAGE_SIZE - 1);
}
/// @p addr rounded up to a page boundary; @p addr must be at most 2^64 - PAGE_SIZE.
constexpr uint64_t page_round_up(uint64_t addr) {
    return page_round_down(addr + PAGE_SIZE - 1);
}
/// Whether @p addr is on a page boundary.
constexpr bool page_aligned(uint64_t addr) {
    return (addr & (PAGE_SIZE - 1)) == 0;
}

/// A half-open range of physical addresses [base, end).
struct PhysRange {
    uint64_t base; ///< first byte
    uint64_t end;  ///< one past the last byte; end == base is an empty range

    /// Length in bytes.
    constexpr uint64_t size() const { return end - base; }
};

} // namespace kern
