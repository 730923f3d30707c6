// Decoding the MOVs of Linux's readl()/writel() and walking a guest's 4-level page tables, on
// encodings taken from the SDM's tables (Vol 2A 2.1.5) and page tables built here.
#include "hypervisor/core/mmio_insn.h"

#include <catch2/catch.hpp>

#include <map>
#include <vector>

using namespace hv;

namespace {
MmioInsn decode(std::vector<uint8_t> b) {
    MmioInsn m;
    REQUIRE(decode_mmio_mov(b.data(), b.size(), m));
    return m;
}
bool refused(std::vector<uint8_t> b) {
    MmioInsn m;
    return !decode_mmio_mov(b.data(), b.size(), m);
}
} // namespace

TEST_CASE("loads and stores of 32-bit registers, with every addressing form's length") {
    MmioInsn m = decode({0x89, 0x02}); // mov %eax,(%rdx)
    CHECK(m.write);
    CHECK_FALSE(m.immediate);
    CHECK(m.reg == 0);
    CHECK(m.length == 2);
    m = decode({0x8B, 0x42, 0x10}); // mov 0x10(%rdx),%eax
    CHECK_FALSE(m.write);
    CHECK(m.reg == 0);
    CHECK(m.length == 3);
    m = decode({0x44, 0x89, 0x8A, 0x10, 0, 0, 0}); // mov %r9d,0x10(%rdx): REX.R, disp32
    CHECK(m.reg == 9);
    CHECK(m.length == 7);
    m = decode({0x8B, 0x0C, 0x24}); // mov (%rsp),%ecx: SIB
    CHECK(m.reg == 1);
    CHECK(m.length == 3);
    m = decode(
        {0x8B, 0x04, 0x25, 0x00, 0x00, 0xC0, 0xFE}); // mov 0xfec00000,%eax: SIB, no base, disp32
    CHECK(m.length == 7);
    m = decode({0x8B, 0x05, 1, 2, 3, 4}); // RIP-relative
    CHECK(m.length == 6);
    m = decode({0x3E, 0x8B, 0x43, 0x10}); // a segment prefix first
    CHECK(m.reg == 0);
    CHECK(m.length == 4);
}

TEST_CASE("a store of an immediate carries the value") {
    MmioInsn m = decode({0xC7, 0x02, 0x01, 0x00, 0x00, 0x00}); // movl $1,(%rdx)
    CHECK(m.write);
    CHECK(m.immediate);
    CHECK(m.imm == 1);
    CHECK(m.length == 6);
    m = decode({0xC7, 0x42, 0x10, 0x78, 0x56, 0x34, 0x12}); // movl $0x12345678,0x10(%rdx)
    CHECK(m.imm == 0x12345678);
    CHECK(m.length == 7);
}

TEST_CASE("anything but a 32-bit MOV with a memory operand is refused") {
    CHECK(refused({0x48, 0x8B, 0x02}));             // 64-bit: REX.W
    CHECK(refused({0x89, 0xC2}));                   // register to register
    CHECK(refused({0xC7, 0x4A, 0x10, 1, 0, 0, 0})); // C7 /1 is not MOV
    CHECK(refused({0x8A, 0x02}));                   // 8-bit
    CHECK(refused({0x66, 0x89, 0x02}));             // 16-bit (operand-size prefix)
    CHECK(refused({0xF3, 0xA4}));                   // rep movsb
    CHECK(refused({0x8B, 0x82, 0x10}));             // cut short: disp32 missing
    CHECK(refused({0xC7, 0x02, 0x01}));             // cut short: imm32 missing
    CHECK(refused({0x8B}));
}

namespace {
struct FakeMem {
    std::map<uint64_t, uint64_t> q; // 8-byte words by address
    static bool read(void* self, uint64_t gpa, uint64_t& v) {
        auto& m = static_cast<FakeMem*>(self)->q;
        auto it = m.find(gpa);
        if (it == m.end())
            return gpa < 0x100000 ? (v = 0, true) : false; // "RAM" below 1 MiB reads zeros
        v = it->second;
        return true;
    }
};
} // namespace

TEST_CASE("the walk follows 4 KiB, 2 MiB and 1 GiB pages and stops at a non-present entry") {
    FakeMem m;
    const uint64_t cr3 = 0x1000;
    // 0xFFFFFFFFFF5FE000 (Linux's fixmap area): PML4[511] -> PDPT[511] -> PD[506] -> PT[510].
    m.q[0x1000 + 511 * 8] = 0x2000 | 3;
    m.q[0x2000 + 511 * 8] = 0x3000 | 3;
    m.q[0x3000 + 506 * 8] = 0x4000 | 3;
    m.q[0x4000 + 510 * 8] = 0xFEC00000 | 0x13; // present, writable, uncached
    uint64_t gpa = 0;
    REQUIRE(guest_linear_to_physical(cr3, 0xFFFFFFFFFF5FE010ull, FakeMem::read, &m, gpa));
    CHECK(gpa == 0xFEC00010);
    // A 2 MiB page (PD entry with PS): 0xFFFFFFFFC1012345 is PML4 511, PDPT 511, PD 8.
    m.q[0x3000 + 8 * 8] = 0x01000000 | 0x83;
    REQUIRE(guest_linear_to_physical(cr3, 0xFFFFFFFFC1012345ull, FakeMem::read, &m, gpa));
    CHECK(gpa == 0x01012345);
    // A 1 GiB page (PDPT entry with PS).
    m.q[0x1000 + 1 * 8] = 0x5000 | 3;
    m.q[0x5000 + 2 * 8] = 0x40000000 | 0x83;
    REQUIRE(guest_linear_to_physical(cr3, (1ull << 39) | (2ull << 30) | 0x123456, FakeMem::read, &m,
                                     gpa));
    CHECK(gpa == 0x40123456);
    // Not present, and an entry pointing outside the guest's memory.
    CHECK_FALSE(guest_linear_to_physical(cr3, 2ull << 39, FakeMem::read, &m, gpa));
    m.q[0x1000 + 3 * 8] = 0x7000000000ull | 3;
    CHECK_FALSE(guest_linear_to_physical(cr3, 3ull << 39, FakeMem::read, &m, gpa));
}
