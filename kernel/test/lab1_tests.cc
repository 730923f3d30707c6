// Lab 1 in-kernel tests: the frame allocator on the machine's real memory map, and page tables
// checked by the MMU itself (a write through a new mapping lands in the right frame; an unmapped
// or read-only page really faults).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/probe.h"
#include "arch/x86_64/trap.h"
#include "core/mem/pte.h"
#include "mem/memory.h"
#include "test/ktest.h"

using namespace kern;

namespace {
// A virtual address far from the identity map (PML4 slot 254), so mapping it makes lab 1's
// code build a PDPT, a PD and a PT of its own under the live kernel PML4.
constexpr uint64_t TEST_VA = 0x00007F0000000000ull;

bool in_usable_range(uint64_t f) {
    size_t n;
    const PhysRange* r = usable_ranges(&n);
    for (size_t i = 0; i < n; ++i)
        if (f >= r[i].base && f + PAGE_SIZE <= r[i].end) return true;
    return false;
}
} // namespace

KTEST(lab1, frames_unique_and_usable) {
    constexpr int N = 512;
    static uint64_t got[N];
    size_t before = frames_free();
    PhysRange kimg = kernel_image();
    int n = 0;
    for (; n < N; ++n) {
        auto r = frame_alloc();
        if (!r.ok()) {
            t.fail("frame_alloc failed after %d frames: %s", n, r.error().what);
            break;
        }
        got[n] = r.value();
        uint64_t f = got[n];
        if (f % PAGE_SIZE || f < 0x100000 || !in_usable_range(f) ||
            (f >= kimg.base && f < kimg.end)) {
            t.fail("frame %#lx is unaligned, below 1 MiB, in the kernel, or not usable RAM", f);
            ++n;
            break;
        }
        // Each frame is real, writable memory of its own.
        *reinterpret_cast<volatile uint64_t*>(f) = f ^ 0x5a5a5a5a5a5a5a5aull;
    }
    for (int i = 0; i < n; ++i)
        if (*reinterpret_cast<volatile uint64_t*>(got[i]) != (got[i] ^ 0x5a5a5a5a5a5a5a5aull))
            t.fail("frame %#lx was handed out twice (its contents changed)", got[i]);
    KCHECK(frames_free() == before - size_t(n));
    for (int i = 0; i < n; ++i)
        frame_free(got[i]);
    KCHECK(frames_free() == before);
}

KTEST(lab1, frames_exhaust_and_recover) {
    // Take every frame (this machine has a few hundred MiB), check the allocator then says
    // no_memory, and give them all back. Frames are chained through their first word.
    size_t before = frames_free();
    uint64_t head = 0;
    size_t taken = 0;
    for (;;) {
        auto r = frame_alloc();
        if (!r.ok()) {
            KCHECK(r.error().code == Errc::no_memory);
            break;
        }
        *reinterpret_cast<uint64_t*>(r.value()) = head;
        head = r.value();
        if (++taken > before) {
            t.fail("more frames handed out (%zu) than were free (%zu)", taken, before);
            break;
        }
    }
    KCHECK(taken == before);
    KCHECK(frames_free() == 0);
    while (head) {
        uint64_t next = *reinterpret_cast<uint64_t*>(head);
        frame_free(head);
        head = next;
    }
    KCHECK(frames_free() == before);
}

KTEST(lab1, map_write_through_new_mapping) {
    auto frame = frame_alloc();
    KREQUIRE(frame.ok());
    uint64_t pa = frame.value();
    *reinterpret_cast<volatile uint64_t*>(pa) = 0;
    PageTable& pt = kernel_page_table();
    auto m = pt.map(TEST_VA, pa, Pte::PRESENT | Pte::WRITABLE);
    if (!m.ok()) {
        t.fail("map(%#lx -> %#lx) failed: %s", TEST_VA, pa, m.error().what);
        frame_free(pa);
        return;
    }
    // The MMU must now find the frame: write through the new address, read the frame directly.
    KCHECK(probe_write_u64(reinterpret_cast<volatile uint64_t*>(TEST_VA + 8), 0xC0FFEE));
    KCHECK(*reinterpret_cast<volatile uint64_t*>(pa + 8) == 0xC0FFEE);
    auto tr = pt.translate(TEST_VA + 0x123);
    KCHECK(tr.ok() && tr.value().phys == pa + 0x123 && tr.value().writable);

    auto u = pt.unmap(TEST_VA);
    KCHECK(u.ok() && u.value() == pa);
    cpu::invlpg(TEST_VA);
    uint64_t v;
    bool read_ok = probe_read_u64(reinterpret_cast<volatile uint64_t*>(TEST_VA), &v);
    KCHECK(!read_ok);
    if (!read_ok) {
        ProbeFault f = probe_last_fault();
        KCHECK(f.vector == VEC_PF && f.cr2 == TEST_VA && (f.error_code & 1) == 0); // not present
    }
    KCHECK(!pt.translate(TEST_VA).ok());
    frame_free(pa);
}

KTEST(lab1, read_only_mapping_faults_on_write) {
    auto frame = frame_alloc();
    KREQUIRE(frame.ok());
    uint64_t pa = frame.value();
    *reinterpret_cast<volatile uint64_t*>(pa) = 77;
    PageTable& pt = kernel_page_table();
    uint64_t va = TEST_VA + 0x200000;
    auto m = pt.map(va, pa, Pte::PRESENT);
    if (!m.ok()) {
        t.fail("map read-only failed: %s", m.error().what);
        frame_free(pa);
        return;
    }
    uint64_t v = 0;
    KCHECK(probe_read_u64(reinterpret_cast<volatile uint64_t*>(va), &v) && v == 77);
    bool wrote = probe_write_u64(reinterpret_cast<volatile uint64_t*>(va), 1);
    KCHECK(!wrote);
    if (!wrote) // present + write: error code bits 0 and 1 (SDM Vol 3A 4.7)
        KCHECK((probe_last_fault().error_code & 3) == 3);
    KCHECK(pt.map(va, pa, Pte::PRESENT | Pte::WRITABLE).error().code == Errc::already_exists);
    (void)pt.unmap(va);
    cpu::invlpg(va);
    frame_free(pa);
}

KTEST(lab1, heap_new_and_delete) {
    // The heap grows with contiguous frames from lab 1's allocator.
    constexpr int N = 200;
    static uint64_t* blocks[N];
    for (int i = 0; i < N; ++i) {
        blocks[i] = new uint64_t[16 + i];
        for (int j = 0; j < 16 + i; ++j)
            blocks[i][j] = uint64_t(i) * 1000 + j;
    }
    bool intact = true;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < 16 + i; ++j)
            intact &= blocks[i][j] == uint64_t(i) * 1000 + j;
    KCHECK(intact);
    for (int i = 0; i < N; ++i)
        delete[] blocks[i];
}
