// Lab 1, step 3: the kernel heap (see core/mem/heap.h for the layout and the contract).
#include "core/mem/heap.h"

#include "lib/string.h"

namespace kern {

/// The header every block starts with. A free block keeps the next free block in its
/// payload (payloads are at least 16 bytes).
struct HeapBlock {
    uint64_t size;  ///< payload bytes, a multiple of 16
    uint32_t magic; ///< BLOCK_USED or BLOCK_FREE
    uint32_t check; ///< header_check(size, magic): a stray write rarely keeps it right
};
static_assert(sizeof(HeapBlock) == Heap::ALIGN, "the header keeps payloads aligned");

/// The start of every region; the blocks follow it.
struct HeapRegion {
    HeapRegion* next; ///< the next (older) region
    uint64_t size;    ///< bytes, this header included
};
static_assert(sizeof(HeapRegion) == Heap::ALIGN, "the header keeps blocks aligned");

namespace {

constexpr uint32_t BLOCK_USED = 0x4b4d5553; // "SUMK"
constexpr uint32_t BLOCK_FREE = 0x4b4d4546; // "FEMK"
constexpr size_t HDR = sizeof(HeapBlock);
constexpr size_t MIN_PAYLOAD = 16;

uint32_t header_check(uint64_t size, uint32_t magic) {
    return static_cast<uint32_t>(size ^ (size >> 32)) ^ ~magic;
}
size_t round_up(size_t n, size_t a) {
    return (n + a - 1) / a * a;
}

HeapBlock* block_at(char* p) {
    return reinterpret_cast<HeapBlock*>(p);
}
// The next free block, kept in the payload of a free block.
HeapBlock*& next_free(HeapBlock* b) {
    return *reinterpret_cast<HeapBlock**>(reinterpret_cast<char*>(b) + HDR);
}
// One past the block's payload: where its right neighbour starts.
char* block_end(HeapBlock* b) {
    return reinterpret_cast<char*>(b) + HDR + b->size;
}
void set_header(HeapBlock* b, uint64_t size, uint32_t magic) {
    b->size = size;
    b->magic = magic;
    b->check = header_check(size, magic);
}

} // namespace

Result<void*> Heap::alloc(size_t size) {
    if (size > MAX_ALLOC)
        return Error{Errc::no_memory, "kmalloc: request larger than Heap::MAX_ALLOC"};
    size_t need = size < MIN_PAYLOAD ? MIN_PAYLOAD : round_up(size, ALIGN);
    for (int attempt = 0; attempt < 2; ++attempt) {
        Block* prev = nullptr;
        for (Block* b = m_free; b; prev = b, b = next_free(b)) {
            if (b->size < need) continue;
            if (prev)
                next_free(prev) = next_free(b);
            else
                m_free = next_free(b);
            m_free_bytes -= b->size;
            m_used_bytes += b->size;
            set_header(b, b->size, BLOCK_USED);
            split(b, need);
            return static_cast<void*>(reinterpret_cast<char*>(b) + HDR);
        }
        if (attempt == 0) TRY_VOID(grow(need));
    }
    return Error{Errc::no_memory, "kmalloc: no block after growing (grow callback too small?)"};
}

Result<void> Heap::free(void* ptr) {
    if (!ptr) return {};
    Block* b = TRY(used_block(ptr));
    set_header(b, b->size, BLOCK_FREE);
    m_used_bytes -= b->size;
    m_free_bytes += b->size;
    insert_free(b);
    return {};
}

Result<void*> Heap::realloc(void* ptr, size_t size) {
    if (!ptr) return alloc(size);
    Block* b = TRY(used_block(ptr));
    size_t need = size < MIN_PAYLOAD ? MIN_PAYLOAD : round_up(size, ALIGN);
    if (size <= MAX_ALLOC && need <= b->size) {
        split(b, need);
        return ptr;
    }
    void* fresh = TRY(alloc(size));
    memcpy(fresh, ptr, b->size);
    TRY_VOID(free(ptr));
    return fresh;
}

Result<Heap::Block*> Heap::used_block(void* ptr) const {
    char* p = static_cast<char*>(ptr);
    const Region* r = m_regions;
    while (r && !(p > reinterpret_cast<const char*>(r) + sizeof(Region) &&
                  p < reinterpret_cast<const char*>(r) + r->size))
        r = r->next;
    if (!r || reinterpret_cast<uintptr_t>(p) % ALIGN != 0)
        return Error{Errc::invalid_argument, "kfree: pointer is not from this heap"};
    Block* b = block_at(p - HDR);
    bool check_ok = b->check == header_check(b->size, b->magic);
    if (check_ok && b->magic == BLOCK_FREE)
        return Error{Errc::invalid_argument, "kfree: double free"};
    if (!check_ok || b->magic != BLOCK_USED || b->size % ALIGN != 0 ||
        b->size > reinterpret_cast<uintptr_t>(r) + r->size - reinterpret_cast<uintptr_t>(p))
        return Error{Errc::corrupt, "kfree: block header overwritten (or a wild pointer)"};
    return b;
}

Result<void> Heap::grow(size_t payload) {
    if (!m_grow) return Error{Errc::no_memory, "kmalloc: heap has no grow callback"};
    size_t bytes = round_up(sizeof(Region) + HDR + payload, 4096);
    if (bytes < GROW_MIN) bytes = GROW_MIN;
    void* mem = m_grow(bytes, m_ctx);
    if (!mem) return Error{Errc::no_memory, "kmalloc: out of memory (grow callback failed)"};
    if (reinterpret_cast<uintptr_t>(mem) % ALIGN != 0)
        return Error{Errc::invalid_argument, "kmalloc: grow callback returned unaligned memory"};
    Region* r = static_cast<Region*>(mem);
    r->next = m_regions;
    r->size = bytes;
    m_regions = r;
    m_heap_bytes += bytes;
    Block* b = block_at(reinterpret_cast<char*>(r) + sizeof(Region));
    set_header(b, bytes - sizeof(Region) - HDR, BLOCK_FREE);
    m_free_bytes += b->size;
    insert_free(b);
    return {};
}

void Heap::insert_free(Block* b) {
    Block* prev = nullptr;
    Block* next = m_free;
    while (next && next < b) {
        prev = next;
        next = next_free(next);
    }
    // Blocks of different regions are never neighbours: a region header lies between them.
    if (next && block_end(b) == reinterpret_cast<char*>(next)) {
        set_header(b, b->size + HDR + next->size, BLOCK_FREE);
        m_free_bytes += HDR; // next's header becomes payload
        next = next_free(next);
    }
    if (prev && block_end(prev) == reinterpret_cast<char*>(b)) {
        // b's header stays behind with BLOCK_FREE, so a second kfree of it still reads
        // as a double free.
        set_header(prev, prev->size + HDR + b->size, BLOCK_FREE);
        m_free_bytes += HDR;
        next_free(prev) = next;
        return;
    }
    next_free(b) = next;
    if (prev)
        next_free(prev) = b;
    else
        m_free = b;
}

void Heap::split(Block* b, size_t payload) {
    if (b->size < payload + HDR + MIN_PAYLOAD) return;
    Block* rest = block_at(reinterpret_cast<char*>(b) + HDR + payload);
    set_header(rest, b->size - payload - HDR, BLOCK_FREE);
    m_used_bytes -= b->size - payload;
    set_header(b, payload, BLOCK_USED);
    m_free_bytes += rest->size;
    insert_free(rest);
}

Result<void> Heap::check() const {
    size_t free_seen = 0;
    for (const Region* r = m_regions; r; r = r->next) {
        char* p = reinterpret_cast<char*>(const_cast<Region*>(r)) + sizeof(Region);
        char* end = reinterpret_cast<char*>(const_cast<Region*>(r)) + r->size;
        bool prev_free = false;
        while (p < end) {
            Block* b = block_at(p);
            if (b->check != header_check(b->size, b->magic) ||
                (b->magic != BLOCK_USED && b->magic != BLOCK_FREE) || b->size % ALIGN != 0 ||
                b->size > static_cast<size_t>(end - p) - HDR)
                return Error{Errc::corrupt, "heap check: bad block header"};
            bool is_free = b->magic == BLOCK_FREE;
            if (is_free && prev_free)
                return Error{Errc::corrupt, "heap check: two free neighbours not merged"};
            free_seen += is_free;
            prev_free = is_free;
            p = block_end(b);
        }
        if (p != end) return Error{Errc::corrupt, "heap check: blocks do not tile their region"};
    }
    size_t listed = 0;
    for (Block* b = m_free; b; b = next_free(b), ++listed)
        if (b->magic != BLOCK_FREE || (next_free(b) && next_free(b) <= b))
            return Error{Errc::corrupt, "heap check: free list broken or out of order"};
    if (listed != free_seen)
        return Error{Errc::corrupt, "heap check: free list misses free blocks"};
    return {};
}

HeapStats Heap::stats() const {
    HeapStats s{m_heap_bytes, m_used_bytes, m_free_bytes, 0, 0, 0};
    for (Block* b = m_free; b; b = next_free(b)) {
        ++s.free_blocks;
        if (b->size > s.largest_free) s.largest_free = b->size;
    }
    for (const Region* r = m_regions; r; r = r->next)
        ++s.regions;
    return s;
}

} // namespace kern
