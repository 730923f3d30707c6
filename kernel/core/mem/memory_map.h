// Normalising the firmware memory map into the list of RAM ranges the kernel may use.
//
// Firmware maps (multiboot2 tag 6, e820) are only loosely specified: entries may come in any
// order, overlap each other, leave holes, have zero length, or be so large that base + length
// wraps past 2^64; an "available" entry may overlap a "reserved" one. The kernel adds ranges
// of its own that must never be handed out (its image, multiboot modules and info, the
// framebuffer, the first 1 MiB with the AP trampoline). normalize_memory_map() turns all that
// into one clean answer, trusting the firmware as little as possible:
//   - reserved always wins: a byte is usable only if some type-1 entry covers it and no
//     other entry and no extra reserved range does;
//   - usable ranges are rounded inwards to pages, reserved ones outwards;
//   - an available entry that wraps is bogus and ignored; a reserved one that wraps reserves
//     everything from its base up;
//   - nothing at or above MAX_PHYS_ADDR is usable.
// Pure code: no allocation, the caller supplies the output array.
#pragma once

#include "core/mem/page.h"
#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Firmware memory type of usable RAM (multiboot2 "available", e820 type 1).
inline constexpr uint32_t MEM_TYPE_AVAILABLE = 1;
/// A comfortable output capacity for normalize_memory_map (real maps have a few dozen ranges).
inline constexpr size_t MAX_RANGES = 128;

/// One firmware memory-map entry, as in a multiboot2 mmap entry or an e820 record.
struct FirmwareMemEntry {
    uint64_t base;   ///< first byte
    uint64_t length; ///< bytes; base + length may (bogusly) wrap
    uint32_t type;   ///< MEM_TYPE_AVAILABLE, or anything else for reserved
};

/// Summary of a normalised map.
struct MemoryTotals {
    uint64_t usable_bytes; ///< sum of the sizes of the usable ranges
    uint64_t usable_end;   ///< one past the highest usable byte, 0 if none (size bitmaps with it)
};

/// Compute the usable RAM: the type-1 parts of @p entries minus their other-typed parts and
/// minus @p reserved. Writes sorted, disjoint, non-adjacent, page-aligned, non-empty ranges to
/// @p out and returns how many. Errors: Errc::no_memory if more than @p out_capacity ranges
/// result; Errc::invalid_argument if a reserved range ends before it starts.
/// @param entries the firmware map, in any order (may be null if @p n_entries is 0)
/// @param n_entries number of firmware entries
/// @param reserved extra ranges the kernel uses; any alignment, may overlap anything
/// @param n_reserved number of extra reserved ranges
/// @param out where the usable ranges go
/// @param out_capacity size of @p out (e.g. MAX_RANGES)
Result<size_t> normalize_memory_map(const FirmwareMemEntry* entries, size_t n_entries,
                                    const PhysRange* reserved, size_t n_reserved, PhysRange* out,
                                    size_t out_capacity);

/// Total usable bytes and the end of the highest usable range of @p n ranges at @p ranges.
MemoryTotals memory_totals(const PhysRange* ranges, size_t n);

} // namespace kern
