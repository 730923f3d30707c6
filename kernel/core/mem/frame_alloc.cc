// Lab 1: the physical frame allocator.
//
// Read the contract of every function in core/mem/frame_alloc.h first: the bitmap layout
// (bit i % 8 of byte i / 8 is frame i, 1 = used), what init() must check before it writes
// anything, and which mistakes free() must refuse. Keep m_free equal to the number of 0 bits,
// and keep m_hint honest (no free frame below it) if you use it to start searches.
//
// Errors are values: return Error{Errc::..., "what exactly was wrong"}. For messages that
// name an address use message_with_address("double free of frame ", phys). memset and
// friends are declared in "lib/string.h".
#include "core/mem/frame_alloc.h"

namespace kern {

bool FrameAllocator::frame_used(size_t frame) const {
    // TODO(lab1): test frame's bit in m_bitmap.
    (void)frame;
    return true;
}

void FrameAllocator::set_frame_used(size_t frame, bool used) {
    // TODO(lab1): set or clear frame's bit in m_bitmap.
    (void)frame;
    (void)used;
}

Result<void> FrameAllocator::init(const PhysRange* usable, size_t n, uint8_t* bitmap,
                                  size_t bitmap_bytes) {
    // TODO(lab1): validate the arguments and every range, then mark all frames used and the
    // frames of the usable ranges (but never frame 0) free. Set m_frames, m_free, m_hint.
    (void)usable;
    (void)n;
    (void)bitmap;
    (void)bitmap_bytes;
    return Error{Errc::unsupported, "TODO(lab1): FrameAllocator::init"};
}

Result<uint64_t> FrameAllocator::alloc() {
    // TODO(lab1): find the lowest free frame, mark it used, return its physical address.
    return Error{Errc::unsupported, "TODO(lab1): FrameAllocator::alloc"};
}

Result<uint64_t> FrameAllocator::alloc_contiguous(size_t count, uint64_t align) {
    // TODO(lab1): find the lowest aligned run of `count` free frames and mark it used.
    (void)count;
    (void)align;
    return Error{Errc::unsupported, "TODO(lab1): FrameAllocator::alloc_contiguous"};
}

Result<void> FrameAllocator::free(uint64_t phys) {
    // TODO(lab1): refuse bad addresses and double frees, then mark the frame free.
    (void)phys;
    return Error{Errc::unsupported, "TODO(lab1): FrameAllocator::free"};
}

size_t FrameAllocator::free_frames() const {
    // TODO(lab1)
    return 0;
}

bool FrameAllocator::is_free(uint64_t phys) const {
    // TODO(lab1)
    (void)phys;
    return false;
}

} // namespace kern
