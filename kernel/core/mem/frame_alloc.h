// FrameAllocator: hands out 4 KiB physical frames, tracked by one bit per frame.
//
// The bitmap covers physical addresses [0, frame_count() * PAGE_SIZE): bit (i % 8) of byte
// (i / 8) describes frame i (the frame at physical address i * PAGE_SIZE); 1 = used, 0 = free.
// Everything starts used and only the usable ranges (from normalize_memory_map) become free,
// so holes, reserved memory and anything the map does not mention can never be handed out.
// Frame 0 stays used forever: physical address 0 doubles as "no frame" in many places.
//
// The caller provides the bitmap storage, sized with bitmap_bytes_for(), and it must not lie
// inside a usable range (e.g. put it in .bss, which the reserved kernel image covers). No heap,
// no locking: the kernel wraps the allocator in a spinlock.
#pragma once

#include "core/mem/page.h"
#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// A bitmap allocator of 4 KiB physical frames.
class FrameAllocator {
  public:
    /// Bytes of bitmap needed to track every frame below physical address @p max_phys.
    static constexpr size_t bitmap_bytes_for(uint64_t max_phys) {
        uint64_t top = max_phys < MAX_PHYS_ADDR ? max_phys : MAX_PHYS_ADDR;
        uint64_t frames = (top + PAGE_SIZE - 1) / PAGE_SIZE;
        return static_cast<size_t>((frames + 7) / 8);
    }

    /// Take over @p bitmap (@p bitmap_bytes bytes, contents ignored), mark every frame used,
    /// then mark the frames of the @p n ranges at @p usable free, except frame 0. Checks all
    /// ranges before touching the bitmap: Errc::invalid_argument if a range is not page-aligned,
    /// ends before it starts, or reaches past what the bitmap covers, or if the bitmap is null
    /// or empty. Ranges may overlap each other.
    /// @param usable page-aligned usable ranges, e.g. from normalize_memory_map
    /// @param n number of ranges
    /// @param bitmap storage for the bitmap, outside every usable range
    /// @param bitmap_bytes its size, e.g. bitmap_bytes_for(memory_totals(...).usable_end)
    Result<void> init(const PhysRange* usable, size_t n, uint8_t* bitmap, size_t bitmap_bytes);

    /// Allocate the lowest free frame and return its physical address (never 0). The frame's
    /// contents are whatever was there. Errc::no_memory when no frame is free.
    Result<uint64_t> alloc();

    /// Allocate @p count physically contiguous frames whose first address is a multiple of
    /// @p align, and return that address: the lowest such run. @p align is a power of two in
    /// bytes; 0 or anything up to PAGE_SIZE means page alignment. Errc::invalid_argument for
    /// count 0 or an align that is not a power of two; Errc::no_memory if no run fits.
    /// @param count number of frames
    /// @param align required alignment of the first frame, in bytes
    Result<uint64_t> alloc_contiguous(size_t count, uint64_t align);

    /// Return the frame at @p phys to the free pool. Errc::invalid_argument, with a message
    /// naming the address, if @p phys is not page-aligned, is frame 0, lies beyond the bitmap,
    /// or is already free (a double free): the bitmap is then unchanged. Note that a frame
    /// that was never handed out but is used (reserved memory) cannot be told apart from an
    /// allocated one; freeing it is a bug this allocator cannot catch.
    Result<void> free(uint64_t phys);

    /// Number of frames currently free.
    size_t free_frames() const;

    /// Whether the frame containing @p phys is free; false beyond the bitmap.
    bool is_free(uint64_t phys) const;

    /// Number of frames the bitmap covers (free or used); 0 before init().
    size_t frame_count() const { return m_frames; }

  private:
    /// Whether frame @p frame (an index below m_frames) is marked used.
    bool frame_used(size_t frame) const;
    /// Mark frame @p frame (an index below m_frames) used or free; m_free is the caller's job.
    void set_frame_used(size_t frame, bool used);

    /// Format "<what>0x<hex phys>" into m_message and return it, for errors that name an
    /// address. The text stays valid until the next such error from this allocator.
    const char* message_with_address(const char* what, uint64_t phys) {
        size_t n = 0;
        while (*what && n < sizeof m_message - 19)
            m_message[n++] = *what++;
        m_message[n++] = '0';
        m_message[n++] = 'x';
        for (int shift = 60; shift >= 0; shift -= 4)
            m_message[n++] = "0123456789abcdef"[(phys >> shift) & 0xf];
        m_message[n] = '\0';
        return m_message;
    }

    uint8_t* m_bitmap = nullptr; ///< one bit per frame, 1 = used
    size_t m_frames = 0;         ///< frames covered: bitmap bytes * 8
    size_t m_free = 0;           ///< frames whose bit is 0
    size_t m_hint = 0;           ///< search hint: every frame below m_hint is used
    char m_message[80] = {};     ///< text of the last error that names an address
};

} // namespace kern
