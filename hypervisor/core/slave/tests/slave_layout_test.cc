// The slave's memory plan, the Jailhouse setup_data record (layout of struct
// jailhouse_setup_data in linux-source-6.1 arch/x86/include/uapi/asm/bootparam.h), the
// identity map and the boot GDT.
#include "hypervisor/core/slave/slave_layout.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

#include <vector>

using namespace hv;
using namespace hv::linux_boot;

namespace {
constexpr uint64_t MiB = 1ull << 20;
BzImage kit_kernel() { // the values of the kit's slave kernel
    BzImage b;
    b.protocol = 0x020F;
    b.kernel_size = 1500 * 1024;
    b.pref_address = 16 * MiB;
    b.init_size = 0xDD2000;
    b.kernel_alignment = 2 * MiB;
    b.cmdline_size = 2047;
    b.initrd_addr_max = 0x7FFFFFFF;
    return b;
}
} // namespace

TEST_CASE("64 MiB slave: kernel at its preferred address, initrd at the top, channel after RAM") {
    auto p = plan_slave_memory(64 * MiB, kit_kernel(), 1300000, 200, 2 * MiB);
    REQUIRE_OK(p);
    const SlavePlan& s = p.value();
    CHECK(s.kernel_gpa == 16 * MiB);
    CHECK(s.entry_gpa == 16 * MiB + 0x200);
    CHECK(s.initrd_gpa % 4096 == 0);
    CHECK(s.initrd_gpa + s.initrd_size <= 64 * MiB);
    CHECK(s.initrd_gpa + s.initrd_size > 64 * MiB - 4096);
    CHECK(s.initrd_gpa >= s.kernel_gpa + 0xDD2000);
    REQUIRE(s.e820_count == 3);
    CHECK(s.e820[0].addr == 0);
    CHECK(s.e820[0].size ==
          0x9F000); // RAM below 1 MiB, or "Real mode trampoline was not allocated"
    CHECK(s.e820[1].addr == MiB);
    CHECK(s.e820[1].addr + s.e820[1].size == 64 * MiB);
    CHECK(s.e820[2].type == E820Type::reserved);
    CHECK(s.e820[2].addr == 64 * MiB);
    CHECK(s.channel_gpa == 64 * MiB);
}

TEST_CASE("no channel, no initrd") {
    auto p = plan_slave_memory(32 * MiB, kit_kernel(), 0, 0, 0);
    REQUIRE_OK(p);
    CHECK(p.value().e820_count == 2);
    CHECK(p.value().initrd_gpa == 0);
}

TEST_CASE("too little memory is refused, naming the piece that does not fit") {
    auto small = plan_slave_memory(16 * MiB, kit_kernel(), 0, 0, 0);
    REQUIRE_FALSE(small.ok());
    CHECK(std::string(small.error().what).find("too little memory") != std::string::npos);
    auto initrd = plan_slave_memory(32 * MiB, kit_kernel(), 8 * MiB, 0, 0);
    REQUIRE_FALSE(initrd.ok());
    CHECK(std::string(initrd.error().what).find("initrd") != std::string::npos);
    CHECK_FALSE(plan_slave_memory(64 * MiB, kit_kernel(), 100 * MiB, 0, 0).ok());
}

TEST_CASE("a relocatable kernel that does not fit its preferred address moves down") {
    BzImage b = kit_kernel();
    b.pref_address = 48 * MiB;
    CHECK_FALSE(plan_slave_memory(32 * MiB, b, 0, 0, 0).ok());
    b.relocatable = true;
    auto p = plan_slave_memory(32 * MiB, b, 0, 0, 0);
    REQUIRE_OK(p);
    CHECK(p.value().kernel_gpa == 2 * MiB);
}

TEST_CASE("bad sizes are refused") {
    CHECK_FALSE(plan_slave_memory(63 * MiB, kit_kernel(), 0, 0, 0).ok());
    CHECK_FALSE(plan_slave_memory(2048 * MiB, kit_kernel(), 0, 0, 0).ok());
    CHECK_FALSE(
        plan_slave_memory(64 * MiB, kit_kernel(), 0, 3000, 0).ok()); // longer than cmdline_size
    CHECK_FALSE(
        plan_slave_memory(64 * MiB, kit_kernel(), 0, 0, 4096).ok()); // channel not 2 MiB-sized
}

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

TEST_CASE("identity map of the first GiB and the boot GDT") {
    std::vector<uint8_t> t(3 * 4096, 0xEE);
    write_identity_map_1g(t.data());
    CHECK(get_le(&t[0], 8) == (SlaveFixed::PDPT | 3));
    CHECK(get_le(&t[8], 8) == 0);
    CHECK(get_le(&t[4096], 8) == (SlaveFixed::PD | 3));
    CHECK(get_le(&t[8192], 8) == 0x83);
    CHECK(get_le(&t[8192 + 8 * 511], 8) == ((511ull << 21) | 0x83));
    uint8_t gdt[32];
    CHECK(write_boot_gdt(gdt) == 31);
    uint64_t code = get_le(gdt + 0x10, 8), data = get_le(gdt + 0x18, 8);
    CHECK(((code >> 53) & 1) == 1); // L: 64-bit code
    CHECK(((code >> 47) & 1) == 1); // present
    CHECK(((code >> 43) & 1) == 1); // executable
    CHECK(((data >> 43) & 1) == 0); // data
    CHECK(((data >> 41) & 1) == 1); // writable
    CHECK(get_le(gdt, 8) == 0);
}
