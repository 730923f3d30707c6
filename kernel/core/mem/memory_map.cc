// Lab 1, step 1: the firmware memory map, normalised into the RAM the kernel may use.
// Contract in core/mem/memory_map.h; the handout (labs/lab1-memory/README.md) walks through it.
// Until you write it the kernel finds no usable RAM, and says so at boot.
#include "core/mem/memory_map.h"

namespace kern {

Result<size_t> normalize_memory_map(const FirmwareMemEntry* entries, size_t n_entries,
                                    const PhysRange* reserved, size_t n_reserved, PhysRange* out,
                                    size_t out_capacity) {
    (void)entries;
    (void)n_entries;
    (void)reserved;
    (void)n_reserved;
    (void)out;
    (void)out_capacity;
    return size_t(0); // TODO(lab 1)
}

MemoryTotals memory_totals(const PhysRange* ranges, size_t n) {
    (void)ranges;
    (void)n;
    return {0, 0}; // TODO(lab 1)
}

} // namespace kern
