// Lab 1 step 3: the kernel heap: patterns survive, blocks align, frees coalesce, and
// misuse is reported instead of corrupting the heap.
#include "core/mem/heap.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

using namespace kern;

namespace {
// The grow callback: host memory, page-aligned as the kernel's alloc_contiguous would give.
struct HostMemory {
    std::vector<void*> chunks;
    size_t limit = SIZE_MAX; // bytes the heap may get in total
    size_t given = 0;
    ~HostMemory() {
        for (void* p : chunks)
            std::free(p);
    }
    static void* grow(size_t bytes, void* ctx) {
        auto* self = static_cast<HostMemory*>(ctx);
        if (bytes % 4096 != 0 || self->given + bytes > self->limit) return nullptr;
        void* p = std::aligned_alloc(4096, bytes);
        self->chunks.push_back(p);
        self->given += bytes;
        return p;
    }
};

void fill(void* p, size_t n, uint8_t v) {
    std::memset(p, v, n);
}
bool holds(const void* p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i)
        if (static_cast<const uint8_t*>(p)[i] != v) return false;
    return true;
}
} // namespace

TEST_CASE("random alloc/free keeps every block's contents") {
    HostMemory mem;
    Heap heap(HostMemory::grow, &mem);
    struct Live {
        void* p;
        size_t n;
        uint8_t v;
    };
    std::vector<Live> live;
    std::mt19937 rng(1234);
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || rng() % 100 < 55) {
            size_t n = rng() % 3000;
            if (rng() % 50 == 0) n = 100000 + rng() % 100000; // now and then larger than GROW_MIN
            auto r = heap.alloc(n);
            REQUIRE(r.ok());
            REQUIRE(reinterpret_cast<uintptr_t>(r.value()) % Heap::ALIGN == 0);
            uint8_t v = static_cast<uint8_t>(rng());
            fill(r.value(), n, v);
            live.push_back({r.value(), n, v});
        } else {
            size_t i = rng() % live.size();
            REQUIRE(holds(live[i].p, live[i].n, live[i].v));
            REQUIRE(heap.free(live[i].p).ok());
            live[i] = live.back();
            live.pop_back();
        }
        if (step % 1000 == 0) REQUIRE(heap.check().ok());
    }
    for (auto& l : live) {
        REQUIRE(holds(l.p, l.n, l.v));
        REQUIRE(heap.free(l.p).ok());
    }
    REQUIRE(heap.check().ok());
    HeapStats s = heap.stats();
    CHECK(s.used_bytes == 0);
    CHECK(s.free_blocks == s.regions); // everything merged back: one free block per region
}

TEST_CASE("freeing neighbours coalesces them") {
    HostMemory mem;
    Heap heap(HostMemory::grow, &mem);
    std::vector<void*> small;
    for (int i = 0; i < 200; ++i)
        small.push_back(heap.alloc(100).value());
    HeapStats full = heap.stats();
    REQUIRE(full.regions == 1);
    CHECK(full.used_bytes == 200 * 112);
    size_t tail = full.largest_free; // the rest of the region after the 200 blocks
    CHECK(full.free_bytes == tail);  // the only free block
    // Free every other block: lots of free bytes, but nothing larger than before.
    for (size_t i = 0; i < small.size(); i += 2)
        REQUIRE(heap.free(small[i]).ok());
    CHECK(heap.stats().free_blocks == 101);
    CHECK(heap.stats().largest_free == tail);
    for (size_t i = 1; i < small.size(); i += 2)
        REQUIRE(heap.free(small[i]).ok());
    HeapStats empty = heap.stats();
    CHECK(empty.free_blocks == 1);
    CHECK(empty.largest_free == empty.heap_bytes - 32); // region and block headers only
    CHECK(empty.free_bytes == empty.largest_free);
    CHECK(empty.used_bytes == 0);
    // The merged space now serves a request larger than the old tail without growing.
    void* big = heap.alloc(tail + 10000).value();
    CHECK(heap.stats().regions == 1);
    REQUIRE(heap.free(big).ok());
    REQUIRE(heap.check().ok());
}

TEST_CASE("double free, wild pointers and overwritten headers are reported") {
    HostMemory mem;
    Heap heap(HostMemory::grow, &mem);
    void* a = heap.alloc(64).value();
    void* b = heap.alloc(64).value();
    void* c = heap.alloc(64).value();
    REQUIRE(heap.free(b).ok());
    CHECK(heap.free(b).error().code == Errc::invalid_argument); // plain double free
    REQUIRE(heap.free(a).ok());                                 // merges with b
    CHECK(heap.free(b).error().code == Errc::invalid_argument); // still seen after merging
    CHECK(heap.free(a).error().code == Errc::invalid_argument);

    int on_stack = 0;
    CHECK(heap.free(&on_stack).error().code == Errc::invalid_argument);
    CHECK(heap.free(static_cast<char*>(c) + 16).error().code != Errc::ok);

    HeapStats before = heap.stats();
    std::memset(static_cast<char*>(c) - 16, 0x41, 16); // an underflow tramples c's header
    CHECK(heap.free(c).error().code == Errc::corrupt);
    CHECK(heap.stats().used_bytes == before.used_bytes);
    CHECK(heap.check().error().code == Errc::corrupt);
    CHECK(heap.free(nullptr).ok());
}

TEST_CASE("realloc keeps the contents") {
    HostMemory mem;
    Heap heap(HostMemory::grow, &mem);
    void* p = heap.realloc(nullptr, 40).value();
    fill(p, 40, 0x5c);
    void* q = heap.realloc(p, 24).value(); // shrinking stays in place
    CHECK(q == p);
    CHECK(holds(q, 24, 0x5c));
    void* r = heap.realloc(q, 5000).value();
    CHECK(holds(r, 24, 0x5c));
    REQUIRE(heap.free(r).ok());
    CHECK(heap.free(q).error().code == Errc::invalid_argument); // moved: the old block is gone
    REQUIRE(heap.check().ok());
}

TEST_CASE("out of memory is an error, not a crash") {
    HostMemory mem;
    mem.limit = 64 * 1024;
    Heap heap(HostMemory::grow, &mem);
    CHECK(heap.alloc(100 * 1024).error().code == Errc::no_memory);
    CHECK(heap.alloc(Heap::MAX_ALLOC + 1).error().code == Errc::no_memory);
    void* p = heap.alloc(1000).value();
    CHECK(p != nullptr);
    Heap none;
    CHECK(none.alloc(1).error().code == Errc::no_memory);
}
