// Lab 7, step 2: what Linux's 64-bit boot protocol needs besides the zero page (linux_boot.cc):
// the memory plan and its e820 map, the identity map, the boot GDT and the state at the entry,
// the last judged by the VM-entry checker with Bochs' capabilities.
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/slave/linux_entry.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

#include <string>
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

TEST_CASE(
    "the plan: 64 MiB slave: kernel at its preferred address, initrd at the top, channel after RAM",
    "[lab7]") {
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

TEST_CASE("the plan: no channel, no initrd", "[lab7]") {
    auto p = plan_slave_memory(32 * MiB, kit_kernel(), 0, 0, 0);
    REQUIRE_OK(p);
    CHECK(p.value().e820_count == 2);
    CHECK(p.value().initrd_gpa == 0);
}

TEST_CASE("the plan: too little memory is refused, naming the piece that does not fit", "[lab7]") {
    auto small = plan_slave_memory(16 * MiB, kit_kernel(), 0, 0, 0);
    REQUIRE_FALSE(small.ok());
    CHECK(std::string(small.error().what).find("too little memory") != std::string::npos);
    auto initrd = plan_slave_memory(32 * MiB, kit_kernel(), 8 * MiB, 0, 0);
    REQUIRE_FALSE(initrd.ok());
    CHECK(std::string(initrd.error().what).find("initrd") != std::string::npos);
    CHECK_FALSE(plan_slave_memory(64 * MiB, kit_kernel(), 100 * MiB, 0, 0).ok());
}

TEST_CASE("the plan: a relocatable kernel that does not fit its preferred address moves down",
          "[lab7]") {
    BzImage b = kit_kernel();
    b.pref_address = 48 * MiB;
    CHECK_FALSE(plan_slave_memory(32 * MiB, b, 0, 0, 0).ok());
    b.relocatable = true;
    auto p = plan_slave_memory(32 * MiB, b, 0, 0, 0);
    REQUIRE_OK(p);
    CHECK(p.value().kernel_gpa == 2 * MiB);
    b.kernel_alignment = 4 * MiB; // the kernel's own alignment, not a default
    auto q = plan_slave_memory(32 * MiB, b, 0, 0, 0);
    REQUIRE_OK(q);
    CHECK(q.value().kernel_gpa == 4 * MiB);
}

TEST_CASE("the plan: bad sizes are refused", "[lab7]") {
    CHECK_FALSE(plan_slave_memory(63 * MiB, kit_kernel(), 0, 0, 0).ok());
    CHECK_FALSE(plan_slave_memory(2048 * MiB, kit_kernel(), 0, 0, 0).ok());
    CHECK_FALSE(
        plan_slave_memory(64 * MiB, kit_kernel(), 0, 3000, 0).ok()); // longer than cmdline_size
    CHECK_FALSE(
        plan_slave_memory(64 * MiB, kit_kernel(), 0, 0, 4096).ok()); // channel not 2 MiB-sized
    // The limits themselves are fine: a command line of cmdline_size, a 256 MiB channel.
    CHECK(plan_slave_memory(64 * MiB, kit_kernel(), 0, 2047, 256 * MiB).ok());
}

TEST_CASE("the plan: the initrd stays below initrd_addr_max", "[lab7]") {
    BzImage b = kit_kernel();
    b.initrd_addr_max = 48 * MiB - 1; // the initrd's last byte must not lie above it
    auto high = plan_slave_memory(64 * MiB, b, 1 * MiB, 0, 0);
    REQUIRE_FALSE(high.ok());
    CHECK(std::string(high.error().what).find("initrd_addr_max") != std::string::npos);
    b.initrd_addr_max = 64 * MiB - 1; // exactly the last byte of RAM: allowed
    auto top = plan_slave_memory(64 * MiB, b, 1 * MiB, 0, 0);
    REQUIRE_OK(top);
    CHECK(top.value().initrd_gpa == 63 * MiB);
}

TEST_CASE("the identity map covers the first GiB with 2 MiB pages", "[lab7]") {
    std::vector<uint8_t> t(3 * 4096, 0xEE);
    write_identity_map_1g(t.data());
    CHECK(get_le(&t[0], 8) == (SlaveFixed::PDPT | 3)); // present, writable
    for (size_t i = 1; i < 512; ++i)
        CHECK(get_le(&t[8 * i], 8) == 0);
    CHECK(get_le(&t[4096], 8) == (SlaveFixed::PD | 3));
    for (size_t i = 1; i < 512; ++i)
        CHECK(get_le(&t[4096 + 8 * i], 8) == 0);
    for (uint64_t i = 0; i < 512; ++i) // present, writable, 2 MiB (PS), at i * 2 MiB
        CHECK(get_le(&t[8192 + 8 * i], 8) == ((i << 21) | 0x83));
}

TEST_CASE("the boot GDT holds the flat segments boot.rst names", "[lab7]") {
    uint8_t gdt[40];
    for (uint8_t& b : gdt)
        b = 0xEE;
    CHECK(write_boot_gdt(gdt) == 31);
    CHECK(get_le(gdt, 8) == 0);
    CHECK(get_le(gdt + 8, 8) == 0);
    const uint64_t ACCESSED = 1ull << 40; // the CPU sets it: either value is right
    // __BOOT_CS: base 0, limit 0xFFFFF in 4 KiB units (G), present, DPL 0, code execute/read,
    // L (64-bit) and D clear. __BOOT_DS: the same, data read/write, D/B set.
    CHECK((get_le(gdt + 0x10, 8) & ~ACCESSED) == 0x00AF9A000000FFFFull);
    CHECK((get_le(gdt + 0x18, 8) & ~ACCESSED) == 0x00CF92000000FFFFull);
    CHECK(get_le(gdt + 32, 8) == 0xEEEEEEEEEEEEEEEEull); // 32 bytes, no more
}

namespace {
/// The slave's bootstrap CPU at the entry, with the controls the slave uses.
VmxState linux_entry(const SlavePlan& p, GuestRegs& r) {
    VmxState s = test::good_long_mode(); // a valid 64-bit host from the checker's own tests
    GuestControlRequest req;
    req.use_ept = true;
    req.eptp = 0x100000 | 6 | (3 << 3);
    req.long_mode = true;
    req.interrupts_to_guest = true;
    req.switch_pat = true;
    REQUIRE(choose_controls(test::bochs_skylake_caps(), req, s.ctl).ok());
    linux_entry_state(s.guest, r, test::bochs_skylake_caps(), p, 31);
    own_fixed_cr_bits(s.ctl, s.guest, test::bochs_skylake_caps());
    return s;
}
} // namespace

TEST_CASE("the entry state passes the VM-entry checks", "[lab7]") {
    auto p = plan_slave_memory(64 * MiB, kit_kernel(), 1300000, 200, 2 * MiB);
    REQUIRE_OK(p);
    GuestRegs r;
    VmxState s = linux_entry(p.value(), r);
    EntryCheckFailure f{};
    auto ok = check_vm_entry(s, test::bochs_skylake_caps(), &f);
    INFO("the VM-entry checker: " << (f.field ? f.field : "") << ": "
                                  << (f.message ? f.message : "") << " ("
                                  << (f.section ? f.section : "") << ")");
    CHECK(ok.ok());
}

TEST_CASE("the entry state is the 64-bit boot protocol's", "[lab7]") {
    SlavePlan p;
    p.entry_gpa = 0x2000200; // a relocated kernel
    GuestRegs r;
    r.rax = r.rdi = r.r15 = 0x5555; // whatever was there before
    VmxGuestState g = linux_entry(p, r).guest;
    CHECK(g.rip == 0x2000200);
    CHECK(g.rsp == SlaveFixed::STACK_TOP);
    CHECK(g.cr3 == SlaveFixed::PML4);
    CHECK((g.efer & kern::x86::IA32_EFER_LMA) != 0);
    CHECK((g.rflags & kern::x86::RFLAGS_IF) == 0); // interrupts disabled
    CHECK(g.cs.selector == 0x10);                  // __BOOT_CS
    for (const Segment* seg : {&g.ss, &g.ds, &g.es})
        CHECK(seg->selector == 0x18); // __BOOT_DS
    CHECK(g.gdtr_base == SlaveFixed::GDT);
    CHECK(g.gdtr_limit == 31);
    CHECK(r.rsi == SlaveFixed::ZERO_PAGE);
    CHECK(r.rax == 0);
    CHECK(r.rdi == 0);
    CHECK(r.r15 == 0);
}
