// The I/O bitmaps and the MSR bitmap (SDM Vol 3C 25.6.4 "I/O-Bitmap Addresses" and 25.6.9
// "MSR-Bitmap Address"): one bit per port or MSR; a set bit makes the access exit, a clear bit
// lets it reach the hardware. Pure: the caller gives the 4 KiB pages.
//
//   I/O bitmap A: ports 0x0000-0x7FFF, B: 0x8000-0xFFFF (one bit per port).
//   MSR bitmap:   bytes    0-1023: reads of MSRs 0x00000000-0x00001FFF
//                 bytes 1024-2047: reads of MSRs 0xC0000000-0xC0001FFF
//                 bytes 2048-3071: writes, low range;  bytes 3072-4095: writes, high range.
//   An MSR outside both ranges always exits (SDM 26.1.3).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// A guest's I/O bitmaps A and B.
class IoBitmaps {
  public:
    /// Over two 4 KiB pages; call intercept_all() before use.
    IoBitmaps(uint8_t* a, uint8_t* b) : m_a(a), m_b(b) {}
    /// Every port exits.
    void intercept_all();
    /// Let `count` ports from `first` reach the hardware.
    void pass(uint16_t first, uint32_t count = 1);
    /// Whether an access to `port` exits.
    bool intercepted(uint16_t port) const;

  private:
    uint8_t* m_a;
    uint8_t* m_b;
};

/// A guest's MSR bitmap.
class MsrBitmap {
  public:
    /// Over one 4 KiB page; call intercept_all() before use.
    explicit MsrBitmap(uint8_t* page) : m_page(page) {}
    /// Every RDMSR and WRMSR exits.
    void intercept_all();
    /// Let RDMSR of `msr` reach the hardware; false if `msr` is outside the bitmap's ranges.
    bool pass_read(uint32_t msr);
    /// Let WRMSR of `msr` reach the hardware; false if outside the ranges.
    bool pass_write(uint32_t msr);
    /// Whether RDMSR (`write` false) or WRMSR (`write` true) of `msr` exits.
    bool intercepted(uint32_t msr, bool write) const;

  private:
    /// Byte offset of `msr`'s bit in the read half (add 2048 for writes), or -1.
    static long offset_of(uint32_t msr);
    uint8_t* m_page;
};

} // namespace hv
