// Lab 1, step 3: the kernel heap behind kmalloc, kfree and C++'s new and delete.
//
// The contract and the layout are in core/mem/heap.h: a first-fit allocator over an
// address-ordered free list, regions from the grow callback tiled by blocks, each a 16-byte
// header and its payload; splitting on allocation, merging with free neighbours on free; a
// header that says whether its block is used or free, and a check that a stray write rarely
// leaves right, so that a double free, a wild pointer or an overwritten header is reported
// instead of corrupting the heap. The two headers (HeapBlock, HeapRegion) are yours to define
// here, 16 bytes each; the private helpers the class declares are a suggestion, not a
// requirement.
#include "core/mem/heap.h"

#include "lib/string.h"

namespace kern {

struct HeapBlock {
    uint64_t reserved[2]; // TODO(lab1): the block header
};
static_assert(sizeof(HeapBlock) == Heap::ALIGN, "the header keeps payloads aligned");

struct HeapRegion {
    uint64_t reserved[2]; // TODO(lab1): the region header
};
static_assert(sizeof(HeapRegion) == Heap::ALIGN, "the header keeps blocks aligned");

Result<void*> Heap::alloc(size_t size) {
    // TODO(lab1)
    (void)size;
    return Error{Errc::no_memory, "TODO(lab1): Heap::alloc"};
}

Result<void> Heap::free(void* ptr) {
    // TODO(lab1)
    (void)ptr;
    return Error{Errc::invalid_argument, "TODO(lab1): Heap::free"};
}

Result<void*> Heap::realloc(void* ptr, size_t size) {
    // TODO(lab1)
    (void)ptr;
    (void)size;
    return Error{Errc::no_memory, "TODO(lab1): Heap::realloc"};
}

Result<void> Heap::check() const {
    // TODO(lab1)
    return Error{Errc::corrupt, "TODO(lab1): Heap::check"};
}

HeapStats Heap::stats() const {
    // TODO(lab1)
    return HeapStats{};
}

} // namespace kern
