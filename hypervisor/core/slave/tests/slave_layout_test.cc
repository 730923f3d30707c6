// The Jailhouse setup_data record (layout of struct jailhouse_setup_data in linux-source-6.1
// arch/x86/include/uapi/asm/bootparam.h). The plan, the identity map and the GDT are lab 7's
// (linux_boot_test.cc).
#include "hypervisor/core/slave/slave_layout.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

#include <vector>

using namespace hv;
using namespace hv::linux_boot;

namespace {
constexpr uint64_t MiB = 1ull << 20;
} // namespace

TEST_CASE("the Jailhouse setup_data record, version 2") {
    JailhouseInfo j;
    j.pm_timer_port = 0xB008;
    j.tsc_khz = 10000;
    j.apic_khz = 10000;
    j.num_cpus = 1;
    j.cpu_ids[0] = 1;
    j.uart_mask = 1;
    std::vector<uint8_t> buf(SETUP_DATA_HEADER + JAILHOUSE_SETUP_V2_SIZE, 0xEE);
    REQUIRE(write_jailhouse_setup_data(buf.data(), j) == 300);
    CHECK(get_le(&buf[0], 8) == 0);    // next
    CHECK(get_le(&buf[8], 4) == 6);    // SETUP_JAILHOUSE
    CHECK(get_le(&buf[12], 4) == 284); // len: Linux refuses v2 records shorter than sizeof(v2)
    const uint8_t* d = &buf[16];
    CHECK(get_le(d, 2) == 2);     // version
    CHECK(get_le(d + 2, 2) == 1); // compatible_version must be exactly 1
    CHECK(get_le(d + 4, 2) == 0xB008);
    CHECK(get_le(d + 6, 2) == 1);
    CHECK(get_le(d + 8, 8) == 0);
    CHECK(get_le(d + 16, 4) == 10000);
    CHECK(get_le(d + 20, 4) == 10000);
    CHECK(d[24] == 0);
    CHECK(d[25] == 1); // cpu_ids[0]
    CHECK(d[26] == 0);
    CHECK(get_le(d + 280, 4) == 1); // flags: UART 0
}
