#include "mem/memory.h"

#include "mem/kmalloc.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
#include "core/mem/frame_alloc.h"
#include "core/mem/heap.h"
#include "core/mem/memory_map.h"
#include "lib/string.h"
#include "panic.h"
#include "platform.h"
#include "sync/spinlock.h"
#include "sync/thread_lock.h"

#include <new>

extern "C" char __kernel_start[], __kernel_end[];
extern "C" uint64_t boot_pml4[];

namespace kern {

namespace {
// Only the identity-mapped first 4 GiB is managed (entry.S maps exactly that).
constexpr uint64_t MANAGED_LIMIT = uint64_t(1) << 32;
constexpr size_t MAX_RESERVED = 8 + BootInfo::MAX_MODULES;

alignas(8) uint8_t g_frame_bitmap[FrameAllocator::bitmap_bytes_for(MANAGED_LIMIT)];
FrameAllocator g_frames;
ThreadLock
    g_frames_lock; // interrupts stay on: a contiguous search can be long (sync/thread_lock.h)
PhysRange g_usable[MAX_RANGES];
size_t g_usable_count;

struct IdentityAccess final : PhysAccess {
    void* to_virt(uint64_t phys) override { return reinterpret_cast<void*>(phys); }
};
struct KernelFrames final : FrameSource {
    Result<uint64_t> alloc_zeroed_frame() override {
        uint64_t f = TRY(frame_alloc());
        memset(reinterpret_cast<void*>(f), 0, PAGE_SIZE);
        return f;
    }
    void free_frame(uint64_t phys) override { frame_free(phys); }
};
IdentityAccess g_identity;
KernelFrames g_kernel_frames;
alignas(PageTable) uint8_t g_kernel_pt_storage[sizeof(PageTable)];
alignas(Heap) uint8_t g_heap_storage[sizeof(Heap)];

Heap& heap() {
    return *reinterpret_cast<Heap*>(g_heap_storage);
}

void* heap_grow(size_t bytes, void*) {
    size_t frames = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    auto r = frame_alloc_contiguous(frames, PAGE_SIZE);
    return r.ok() ? reinterpret_cast<void*>(r.value()) : nullptr;
}

const char* mem_type_name(uint32_t type) {
    switch (type) {
    case 1:
        return "available";
    case 2:
        return "reserved";
    case 3:
        return "ACPI reclaimable";
    case 4:
        return "ACPI NVS";
    case 5:
        return "bad RAM";
    }
    return "unknown";
}

void print_firmware_map() {
    kprintf("memory map (from %s):\n", g_boot.loader_name[0] ? g_boot.loader_name : "the loader");
    for (size_t i = 0; i < g_boot.mmap_count; ++i) {
        const MemoryMapEntry& e = g_boot.mmap[i];
        kprintf("  [0x%012lx-0x%012lx) %8lu KiB  %s\n", e.base, e.base + e.length, e.length >> 10,
                mem_type_name(e.type));
    }
    if (g_boot.mmap_truncated)
        kprintf("  (more entries than %zu: the rest are ignored)\n", BootInfo::MAX_MMAP);
}

/// Everything in use before the allocator starts: it must never hand these out.
size_t collect_reserved(PhysRange* out) {
    size_t n = 0;
    out[n++] = {0, 0x100000}; // real-mode IVT, BDA, EBDA, VGA, BIOS, the AP trampoline page
    out[n++] = kernel_image();
    out[n++] = {g_boot.info_start, g_boot.info_end};
    out[n++] = {MANAGED_LIMIT, MAX_PHYS_ADDR}; // not identity-mapped: unused for now
    if (g_boot.display == BootInfo::Display::rgb) {
        const BootFramebuffer& fb = g_boot.framebuffer;
        out[n++] = {fb.addr, fb.addr + uint64_t(fb.pitch) * fb.height};
    }
    for (size_t i = 0; i < g_boot.module_count; ++i)
        out[n++] = {g_boot.modules[i].start, g_boot.modules[i].end};
    return n;
}
} // namespace

void cpu_enable_nx() {
    // NX in page-table entries needs IA32_EFER.NXE on every CPU that walks them (SDM Vol 3A
    // 4.1.1): without it bit 63 is a reserved bit and every NX page faults.
    using namespace x86;
    if (cpu::cpuid(0x80000001).edx & CPUID_80000001_EDX_NX)
        cpu::wrmsr(IA32_EFER, cpu::rdmsr(IA32_EFER) | IA32_EFER_NXE);
}

PhysRange kernel_image() {
    return {reinterpret_cast<uint64_t>(__kernel_start), reinterpret_cast<uint64_t>(__kernel_end)};
}

const PhysRange* usable_ranges(size_t* count) {
    *count = g_usable_count;
    return g_usable;
}

void memory_init() {
    print_firmware_map();
    FirmwareMemEntry fw[BootInfo::MAX_MMAP];
    uint64_t above_4g = 0;
    for (size_t i = 0; i < g_boot.mmap_count; ++i) {
        fw[i] = {g_boot.mmap[i].base, g_boot.mmap[i].length, g_boot.mmap[i].type};
        if (fw[i].type == MEM_TYPE_AVAILABLE && fw[i].base + fw[i].length > MANAGED_LIMIT)
            above_4g += fw[i].base + fw[i].length -
                        (fw[i].base > MANAGED_LIMIT ? fw[i].base : MANAGED_LIMIT);
    }
    PhysRange reserved[MAX_RESERVED];
    size_t n_reserved = collect_reserved(reserved);
    auto n =
        normalize_memory_map(fw, g_boot.mmap_count, reserved, n_reserved, g_usable, MAX_RANGES);
    if (!n.ok()) PANIC("memory map unusable: %s", n.error().what);
    g_usable_count = n.value();
    MemoryTotals totals = memory_totals(g_usable, g_usable_count);
    if (totals.usable_bytes == 0)
        PANIC("memory map lists no usable RAM above 1 MiB outside the kernel");

    if (auto r = g_frames.init(g_usable, g_usable_count, g_frame_bitmap,
                               FrameAllocator::bitmap_bytes_for(totals.usable_end));
        !r.ok())
        PANIC("frame allocator refused the memory map: %s", r.error().what);
    kprintf("memory: %lu MiB usable in %zu range(s), %zu frames free; kernel image %lu KiB\n",
            totals.usable_bytes >> 20, g_usable_count, g_frames.free_frames(),
            kernel_image().size() >> 10);
    if (above_4g)
        kprintf("memory: %lu MiB above 4 GiB not used (the kernel manages the identity-mapped "
                "first 4 GiB)\n",
                above_4g >> 20);

    cpu_enable_nx();

    new (g_kernel_pt_storage)
        PageTable(reinterpret_cast<uint64_t>(boot_pml4), g_kernel_frames, g_identity);
    new (g_heap_storage) Heap(heap_grow, nullptr);
}

Result<uint64_t> frame_alloc() {
    ThreadLockGuard guard(g_frames_lock);
    return g_frames.alloc();
}

Result<uint64_t> frame_alloc_contiguous(size_t count, uint64_t align) {
    ThreadLockGuard guard(g_frames_lock);
    return g_frames.alloc_contiguous(count, align);
}

void frame_free(uint64_t phys) {
    Result<void> r;
    {
        ThreadLockGuard guard(g_frames_lock);
        r = g_frames.free(phys);
    }
    if (!r.ok()) PANIC("frame_free(%#lx): %s", phys, r.error().what);
}

size_t frames_free() {
    ThreadLockGuard guard(g_frames_lock);
    return g_frames.free_frames();
}

PageTable& kernel_page_table() {
    return *reinterpret_cast<PageTable*>(g_kernel_pt_storage);
}
FrameSource& kernel_frame_source() {
    return g_kernel_frames;
}
PhysAccess& kernel_phys_access() {
    return g_identity;
}

} // namespace kern

// ---- C++ allocation on the kernel heap ----
namespace {
kern::Spinlock g_heap_lock; // the Heap itself is not thread-safe
}

void* kmalloc(size_t size) {
    kern::Result<void*> r = kern::Error{kern::Errc::no_memory, ""};
    {
        kern::SpinlockGuard guard(g_heap_lock);
        r = kern::heap().alloc(size);
    }
    if (!r.ok()) PANIC("kernel heap: cannot allocate %zu bytes: %s", size, r.error().what);
    return r.value();
}

void kfree(void* p) {
    if (!p) return;
    kern::Result<void> r;
    {
        kern::SpinlockGuard guard(g_heap_lock);
        r = kern::heap().free(p);
    }
    if (!r.ok()) PANIC("kernel heap: bad free of %p: %s", p, r.error().what);
}

void* operator new(size_t size) {
    return kmalloc(size);
}
void* operator new[](size_t size) {
    return kmalloc(size);
}
void operator delete(void* p) noexcept {
    kfree(p);
}
void operator delete[](void* p) noexcept {
    kfree(p);
}
void operator delete(void* p, size_t) noexcept {
    kfree(p);
}
void operator delete[](void* p, size_t) noexcept {
    kfree(p);
}
