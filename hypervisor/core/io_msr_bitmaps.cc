#include "hypervisor/core/io_msr_bitmaps.h"

namespace hv {

void IoBitmaps::intercept_all() {
    for (size_t i = 0; i < 4096; ++i)
        m_a[i] = m_b[i] = 0xFF;
}

void IoBitmaps::pass(uint16_t first, uint32_t count) {
    for (uint32_t p = first; p < uint32_t(first) + count && p <= 0xFFFF; ++p) {
        uint8_t* map = p < 0x8000 ? m_a : m_b;
        uint32_t bit = p & 0x7FFF;
        map[bit / 8] &= uint8_t(~(1u << (bit % 8)));
    }
}

bool IoBitmaps::intercepted(uint16_t port) const {
    const uint8_t* map = port < 0x8000 ? m_a : m_b;
    uint32_t bit = port & 0x7FFF;
    return (map[bit / 8] >> (bit % 8)) & 1;
}

void MsrBitmap::intercept_all() {
    for (size_t i = 0; i < 4096; ++i)
        m_page[i] = 0xFF;
}

long MsrBitmap::offset_of(uint32_t msr) {
    if (msr <= 0x1FFF) return long(msr / 8);
    if (msr >= 0xC0000000 && msr <= 0xC0001FFF) return 1024 + long((msr - 0xC0000000) / 8);
    return -1;
}

bool MsrBitmap::pass_read(uint32_t msr) {
    long off = offset_of(msr);
    if (off < 0) return false;
    m_page[off] &= uint8_t(~(1u << (msr % 8)));
    return true;
}

bool MsrBitmap::pass_write(uint32_t msr) {
    long off = offset_of(msr);
    if (off < 0) return false;
    m_page[2048 + off] &= uint8_t(~(1u << (msr % 8)));
    return true;
}

bool MsrBitmap::intercepted(uint32_t msr, bool write) const {
    long off = offset_of(msr);
    if (off < 0) return true;
    return (m_page[(write ? 2048 : 0) + off] >> (msr % 8)) & 1;
}

} // namespace hv
