// Lab 1, step 1: memory-map normalisation. Build the sorted list of available ranges, then cut
// every reserved range out of it. Subtraction commutes, so the order of the input does not matter
// and "reserved wins" holds however the entries overlap.
#include "core/mem/memory_map.h"

namespace kern {

namespace {

constexpr Error TOO_MANY_RANGES{Errc::no_memory,
                                "memory map: more usable ranges than the output array holds"};

uint64_t min_u64(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}
uint64_t max_u64(uint64_t a, uint64_t b) {
    return a > b ? a : b;
}

// Insert r into the sorted disjoint list out[0..n), merging it with every range it overlaps
// or touches, so the list stays sorted, disjoint and non-adjacent.
Result<void> insert_merged(PhysRange* out, size_t& n, size_t cap, PhysRange r) {
    size_t first = 0; // first range that ends at or after r.base: it may touch r
    while (first < n && out[first].end < r.base)
        ++first;
    size_t last = first; // one past the last range that touches r
    while (last < n && out[last].base <= r.end) {
        r.base = min_u64(r.base, out[last].base);
        r.end = max_u64(r.end, out[last].end);
        ++last;
    }
    if (last == first) { // nothing merged: open a slot
        if (n == cap) return TOO_MANY_RANGES;
        for (size_t j = n; j > first; --j)
            out[j] = out[j - 1];
        ++n;
    } else { // out[first..last) collapse into one
        size_t gone = last - first - 1;
        for (size_t j = first + 1; j + gone < n; ++j)
            out[j] = out[j + gone];
        n -= gone;
    }
    out[first] = r;
    return {};
}

// Remove cut from the sorted disjoint list out[0..n); a cut strictly inside one range splits
// it in two, which needs a free slot.
Result<void> subtract(PhysRange* out, size_t& n, size_t cap, PhysRange cut) {
    size_t i = 0;
    while (i < n) {
        PhysRange r = out[i];
        if (cut.end <= r.base || r.end <= cut.base) {
            ++i;
            continue;
        }
        bool keep_left = r.base < cut.base;
        bool keep_right = cut.end < r.end;
        if (keep_left && keep_right) {
            if (n == cap) return TOO_MANY_RANGES;
            for (size_t j = n; j > i + 1; --j)
                out[j] = out[j - 1];
            ++n;
            out[i] = {r.base, cut.base};
            out[i + 1] = {cut.end, r.end};
            return {}; // the cut lay inside this range, so it touches no other
        }
        if (keep_left) {
            out[i++].end = cut.base;
        } else if (keep_right) {
            out[i++].base = cut.end;
        } else { // fully covered: drop it
            for (size_t j = i; j + 1 < n; ++j)
                out[j] = out[j + 1];
            --n;
        }
    }
    return {};
}

// A reserved range rounded outwards to pages and clipped to MAX_PHYS_ADDR.
PhysRange reserved_pages(uint64_t base, uint64_t end) {
    return {page_round_down(min_u64(base, MAX_PHYS_ADDR)),
            page_round_up(min_u64(end, MAX_PHYS_ADDR))};
}

} // namespace

Result<size_t> normalize_memory_map(const FirmwareMemEntry* entries, size_t n_entries,
                                    const PhysRange* reserved, size_t n_reserved, PhysRange* out,
                                    size_t out_capacity) {
    for (size_t i = 0; i < n_reserved; ++i)
        if (reserved[i].end < reserved[i].base)
            return Error{Errc::invalid_argument,
                         "memory map: reserved range ends before it starts"};

    size_t n = 0;
    for (size_t i = 0; i < n_entries; ++i) {
        const FirmwareMemEntry& e = entries[i];
        uint64_t end = e.base + e.length;
        if (e.type != MEM_TYPE_AVAILABLE || e.length == 0 || end < e.base ||
            e.base >= MAX_PHYS_ADDR)
            continue;
        PhysRange r{page_round_up(e.base), page_round_down(min_u64(end, MAX_PHYS_ADDR))};
        if (r.base < r.end) TRY_VOID(insert_merged(out, n, out_capacity, r));
    }

    for (size_t i = 0; i < n_entries; ++i) {
        const FirmwareMemEntry& e = entries[i];
        if (e.type == MEM_TYPE_AVAILABLE || e.length == 0) continue;
        uint64_t end = e.base + e.length;
        TRY_VOID(subtract(out, n, out_capacity,
                          reserved_pages(e.base, end < e.base ? MAX_PHYS_ADDR : end)));
    }
    for (size_t i = 0; i < n_reserved; ++i)
        if (reserved[i].end > reserved[i].base)
            TRY_VOID(
                subtract(out, n, out_capacity, reserved_pages(reserved[i].base, reserved[i].end)));
    return n;
}

MemoryTotals memory_totals(const PhysRange* ranges, size_t n) {
    MemoryTotals t{0, 0};
    for (size_t i = 0; i < n; ++i) {
        t.usable_bytes += ranges[i].size();
        t.usable_end = max_u64(t.usable_end, ranges[i].end);
    }
    return t;
}

} // namespace kern
