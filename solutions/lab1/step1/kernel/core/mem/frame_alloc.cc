// Lab 1 solution: the physical frame allocator.
#include "core/mem/frame_alloc.h"

#include "lib/string.h"

namespace kern {

bool FrameAllocator::frame_used(size_t frame) const {
    return (m_bitmap[frame / 8] >> (frame % 8)) & 1;
}

void FrameAllocator::set_frame_used(size_t frame, bool used) {
    uint8_t bit = static_cast<uint8_t>(1u << (frame % 8));
    if (used)
        m_bitmap[frame / 8] |= bit;
    else
        m_bitmap[frame / 8] &= static_cast<uint8_t>(~bit);
}

Result<void> FrameAllocator::init(const PhysRange* usable, size_t n, uint8_t* bitmap,
                                  size_t bitmap_bytes) {
    if (!bitmap || bitmap_bytes == 0)
        return Error{Errc::invalid_argument, "frame allocator: no bitmap storage"};
    uint64_t covered = uint64_t{bitmap_bytes} * 8 * PAGE_SIZE;
    // Check everything first, so a bad range leaves the allocator untouched.
    for (size_t i = 0; i < n; ++i) {
        if (!page_aligned(usable[i].base) || !page_aligned(usable[i].end))
            return Error{Errc::invalid_argument, "frame allocator: usable range not page-aligned"};
        if (usable[i].end < usable[i].base)
            return Error{Errc::invalid_argument,
                         "frame allocator: usable range ends before it starts"};
        if (usable[i].end > covered)
            return Error{Errc::invalid_argument,
                         "frame allocator: bitmap too small for the usable ranges"};
    }
    m_bitmap = bitmap;
    m_frames = bitmap_bytes * 8;
    m_free = 0;
    memset(m_bitmap, 0xff, bitmap_bytes);
    for (size_t i = 0; i < n; ++i) {
        for (uint64_t f = usable[i].base / PAGE_SIZE; f < usable[i].end / PAGE_SIZE; ++f) {
            if (f != 0 && frame_used(f)) { // overlapping ranges must not count a frame twice
                set_frame_used(f, false);
                ++m_free;
            }
        }
    }
    m_hint = 1;
    return {};
}

Result<uint64_t> FrameAllocator::alloc() {
    for (size_t f = m_hint; f < m_frames; ++f) {
        if (f % 8 == 0 && m_bitmap[f / 8] == 0xff) { // a whole byte of used frames
            f += 7;
            continue;
        }
        if (!frame_used(f)) {
            set_frame_used(f, true);
            --m_free;
            m_hint = f + 1;
            return uint64_t{f} * PAGE_SIZE;
        }
    }
    return Error{Errc::no_memory, "frame allocator: no free frame"};
}

Result<uint64_t> FrameAllocator::alloc_contiguous(size_t count, uint64_t align) {
    if (count == 0) return Error{Errc::invalid_argument, "alloc_contiguous: count is 0"};
    if (align & (align - 1))
        return Error{Errc::invalid_argument, "alloc_contiguous: align is not a power of two"};
    uint64_t step = align > PAGE_SIZE ? align / PAGE_SIZE : 1; // alignment in frames
    uint64_t start = (m_hint + step - 1) / step * step;
    while (start < m_frames && count <= m_frames - start) {
        size_t run = 0;
        while (run < count && !frame_used(start + run))
            ++run;
        if (run == count) {
            for (size_t i = 0; i < count; ++i)
                set_frame_used(start + i, true);
            m_free -= count;
            if (start == m_hint) m_hint = start + count;
            return start * PAGE_SIZE;
        }
        // Frame start + run is used: no run can contain it, so skip past it.
        start = (start + run + 1 + step - 1) / step * step;
    }
    return Error{Errc::no_memory, "alloc_contiguous: no free run of that size and alignment"};
}

Result<void> FrameAllocator::free(uint64_t phys) {
    if (!page_aligned(phys))
        return Error{Errc::invalid_argument,
                     message_with_address("free of unaligned address ", phys)};
    uint64_t f = phys / PAGE_SIZE;
    if (f == 0 || f >= m_frames)
        return Error{Errc::invalid_argument,
                     message_with_address("free of a frame never allocated: ", phys)};
    if (!frame_used(f))
        return Error{Errc::invalid_argument, message_with_address("double free of frame ", phys)};
    set_frame_used(f, false);
    ++m_free;
    if (f < m_hint) m_hint = f;
    return {};
}

size_t FrameAllocator::free_frames() const {
    return m_free;
}

bool FrameAllocator::is_free(uint64_t phys) const {
    uint64_t f = phys / PAGE_SIZE;
    return f < m_frames && !frame_used(f);
}

} // namespace kern
