// The I/O and MSR bitmaps' layout (SDM Vol 3C 25.6.4, 25.6.9).
#include "hypervisor/core/io_msr_bitmaps.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace hv;

TEST_CASE("I/O bitmaps: A covers 0-0x7FFF, B the rest, one bit per port") {
    std::vector<uint8_t> a(4096), b(4096);
    IoBitmaps io(a.data(), b.data());
    io.intercept_all();
    CHECK(io.intercepted(0x80));
    io.pass(0x80);
    io.pass(0x8900, 2);
    CHECK_FALSE(io.intercepted(0x80));
    CHECK(io.intercepted(0x81));
    CHECK(a[0x10] == 0xFE); // port 0x80: byte 0x10, bit 0
    CHECK_FALSE(io.intercepted(0x8900));
    CHECK_FALSE(io.intercepted(0x8901));
    CHECK(b[0x900 / 8] == 0xFC);
    io.pass(0xFFFF, 10); // stops at the last port
    CHECK_FALSE(io.intercepted(0xFFFF));
}

TEST_CASE("MSR bitmap: read/write halves, low and high ranges") {
    std::vector<uint8_t> page(4096);
    MsrBitmap m(page.data());
    m.intercept_all();
    CHECK(m.pass_read(0x10));        // IA32_TIME_STAMP_COUNTER
    CHECK(m.pass_write(0xC0000100)); // IA32_FS_BASE
    CHECK_FALSE(m.intercepted(0x10, false));
    CHECK(m.intercepted(0x10, true));
    CHECK(page[2] == 0xFE); // read-low byte 2, bit 0
    CHECK_FALSE(m.intercepted(0xC0000100, true));
    CHECK(m.intercepted(0xC0000100, false));
    CHECK(page[3072 + 0x100 / 8] == 0xFE);
    CHECK_FALSE(m.pass_read(0x40000000)); // outside both ranges: always exits
    CHECK(m.intercepted(0x40000000, false));
}
