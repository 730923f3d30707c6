// Heap: the kernel's general-purpose allocator behind kmalloc/kfree.
//
// A first-fit allocator over an address-ordered free list. Memory comes in regions from a
// grow callback (the kernel backs it with FrameAllocator::alloc_contiguous); each region is
// tiled by blocks, each a 16-byte header followed by its payload:
//
//   region: [RegionHeader 16][Block hdr 16][payload ...][Block hdr 16][payload ...] ...
//
// Allocation splits a block when the rest is big enough to be a block; freeing merges the
// block with free neighbours, so free memory does not fragment into unusable crumbs. Headers
// carry a magic number and a check word: kfree of a freed block (double free), of something
// that is not a block, or of a block whose header was overwritten is reported, and the
// kernel's kfree wrapper PANICs on it. Payloads are 16-byte aligned.
//
// Pure code with no locking: the kernel's kmalloc/kfree wrap one global Heap in a spinlock.
#pragma once

#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

struct HeapBlock;  ///< header of one heap block (private to heap.cc)
struct HeapRegion; ///< header of one heap region (private to heap.cc)

/// Counters describing a heap, for diagnostics and tests.
struct HeapStats {
    size_t heap_bytes;   ///< all bytes obtained from the grow callback
    size_t used_bytes;   ///< payload bytes of allocated blocks (sizes rounded up to 16)
    size_t free_bytes;   ///< payload bytes of free blocks
    size_t free_blocks;  ///< number of free blocks
    size_t largest_free; ///< payload bytes of the largest free block
    size_t regions;      ///< number of regions obtained from the grow callback
};

/// A first-fit kernel heap with coalescing and header checks.
class Heap {
  public:
    /// Returns at least @p bytes (a multiple of 4 KiB) of fresh memory, 16-byte aligned, that
    /// the heap keeps forever; nullptr if there is none. @p ctx is the value given to the Heap.
    using GrowFn = void* (*)(size_t bytes, void* ctx);

    /// Alignment of every payload.
    static constexpr size_t ALIGN = 16;
    /// Smallest request made to the grow callback, so small allocations do not each grow.
    static constexpr size_t GROW_MIN = 64 * 1024;
    /// Largest allocation accepted; larger requests fail with Errc::no_memory.
    static constexpr size_t MAX_ALLOC = size_t{1} << 40;

    /// A heap that cannot grow: every allocation fails. Only for globals initialised later.
    Heap() = default;
    /// An empty heap that gets its memory from @p grow, passing it @p ctx.
    Heap(GrowFn grow, void* ctx) : m_grow(grow), m_ctx(ctx) {}
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    /// Allocate @p size bytes (0 counts as 1), 16-byte aligned, contents undefined.
    /// Errc::no_memory if the request is too large or the grow callback fails.
    Result<void*> alloc(size_t size);

    /// Free the block at @p ptr, merging it with free neighbours; nullptr is a no-op.
    /// Errc::invalid_argument for a double free or a pointer that is not a heap block;
    /// Errc::corrupt if the block's header was overwritten. On error nothing changes.
    Result<void> free(void* ptr);

    /// Resize the block at @p ptr to @p size bytes, keeping its contents up to the smaller
    /// size; may move it. nullptr behaves like alloc(). Errors as for alloc() and free(); on
    /// error the old block is untouched.
    /// @param ptr a block from alloc(), or nullptr
    /// @param size new size in bytes
    Result<void*> realloc(void* ptr, size_t size);

    /// Walk every region and block and verify headers, tiling, the free list and that no
    /// two free blocks are neighbours. Errc::corrupt naming the first broken rule.
    Result<void> check() const;

    /// Current counters.
    HeapStats stats() const;

  private:
    using Block = HeapBlock;
    using Region = HeapRegion;
    /// The header of the used block at @p ptr, or why @p ptr is not one.
    Result<Block*> used_block(void* ptr) const;
    /// Add a region able to hold a @p payload byte block to the heap.
    Result<void> grow(size_t payload);
    /// Put free block @p b into the free list at its address, merging it with neighbours.
    void insert_free(Block* b);
    /// Shrink used block @p b to @p payload bytes if the rest can form a free block.
    void split(Block* b, size_t payload);

    GrowFn m_grow = nullptr;     ///< source of new regions
    void* m_ctx = nullptr;       ///< passed to m_grow
    Region* m_regions = nullptr; ///< all regions, newest first
    Block* m_free = nullptr;     ///< free blocks in address order
    size_t m_heap_bytes = 0;     ///< total from m_grow
    size_t m_used_bytes = 0;     ///< payload bytes in used blocks
    size_t m_free_bytes = 0;     ///< payload bytes in free blocks
};

} // namespace kern
