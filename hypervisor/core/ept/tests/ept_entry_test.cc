// EPT entry and EPTP layouts, and the misconfiguration rules (SDM Vol 3C 29.3.3.1, 25.6.11).
#include "hypervisor/core/ept/ept_entry.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
constexpr uint64_t RW = EPT_READ | EPT_WRITE, RWX = EPT_PERMS;
constexpr uint64_t MiB = 1024 * 1024, GiB = 1024 * MiB;
} // namespace

TEST_CASE("EPT entry bits sit where the SDM puts them", "[ept]") {
    STATIC_REQUIRE(EPT_READ == 1);
    STATIC_REQUIRE(EPT_WRITE == 2);
    STATIC_REQUIRE(EPT_EXECUTE == 4);
    STATIC_REQUIRE(static_cast<int>(EptMemoryType::uncacheable) == 0);
    STATIC_REQUIRE(static_cast<int>(EptMemoryType::write_back) == 6);
    STATIC_REQUIRE(ept_index(0x0080'6010'1000, 4) == 1);
    STATIC_REQUIRE(ept_index(0x0080'6010'1000, 3) == 1);
    STATIC_REQUIRE(ept_index(0x0080'6010'1000, 2) == 0x100);
    STATIC_REQUIRE(ept_index(0x0080'6010'1000, 1) == 0x101);

    constexpr EptEntry wb = EptEntry::leaf(0x1234'5000, RW, EptMemoryType::write_back, false);
    STATIC_REQUIRE(wb.raw() == (0x1234'5000 | 3 | 6 << 3));
    CHECK(wb.present());
    CHECK(wb.read());
    CHECK(wb.write());
    CHECK_FALSE(wb.execute());
    CHECK(wb.perms() == RW);
    CHECK(wb.memory_type() == EptMemoryType::write_back);
    CHECK_FALSE(wb.large());
    CHECK(wb.address() == 0x1234'5000);

    EptEntry big = EptEntry::leaf(0x4020'0000, EPT_EXECUTE, EptMemoryType::uncacheable, true);
    CHECK(big.raw() == (0x4020'0000 | 4 | 1 << 7));
    CHECK(big.large());
    CHECK(big.memory_type() == EptMemoryType::uncacheable);
    big.set_perms(EPT_READ);
    CHECK(big.raw() == (0x4020'0000 | 1 | 1 << 7));

    EptEntry hw(0x8000'0000'abcd'e000 | RWX | 6 << 3 | 1 << 6 | 1 << 8 | 1 << 9 | 1 << 10);
    CHECK(hw.ignore_pat());
    CHECK(hw.accessed());
    CHECK(hw.dirty());
    CHECK(hw.address() == 0xabcd'e000); // bit 63 (suppress #VE) is not address

    constexpr EptEntry t = EptEntry::table(0x7000);
    STATIC_REQUIRE(t.raw() == (0x7000 | 7)); // RWX, memory type and bit 7 zero
    CHECK_FALSE(EptEntry().present());
    CHECK_FALSE(EptEntry(0x7000 | 6 << 3).present()); // bits 2:0 decide, nothing else
}

TEST_CASE("EPTP fields: type, walk length, A/D, PML4", "[ept]") {
    constexpr EptPointer p(0x12'3456'7000 | 6 | 3 << 3 | 1 << 6);
    STATIC_REQUIRE(p.memory_type() == EptMemoryType::write_back);
    CHECK(p.walk_length() == 4);
    CHECK(p.ad_enabled());
    CHECK(p.pml4() == 0x12'3456'7000);

    EptPointer q(0x5000 | 3 << 3); // UC, 4 levels, no A/D
    CHECK(q.memory_type() == EptMemoryType::uncacheable);
    CHECK(q.walk_length() == 4);
    CHECK_FALSE(q.ad_enabled());
    CHECK(q.pml4() == 0x5000);
    CHECK(EptPointer(0x5fff).pml4() == 0x5000);
}

TEST_CASE("EPT misconfigurations (SDM 29.3.3.1)", "[ept]") {
    struct Case {
        uint64_t raw;
        int level;
        bool bad;
        const char* why;
    };
    const Case cases[] = {
        {0, 4, false, "not present: a violation, not a misconfiguration"},
        {0x7000 | 1 << 5 | 1 << 7, 1, false, "not present even with other bits set"},
        {0x7000 | RWX, 4, false, "PML4E to a PDPT"},
        {0x7000 | EPT_WRITE, 4, true, "write-only"},
        {0x7000 | EPT_WRITE | EPT_EXECUTE, 2, true, "write+execute without read"},
        {0x7000 | EPT_EXECUTE, 1, false, "execute-only (when supported)"},
        {0x7000 | RWX | 1 << 3, 4, true, "bit 3 reserved in a PML4E"},
        {0x7000 | RWX | 1 << 7, 4, true, "bit 7 reserved in a PML4E"},
        {0x7000 | RWX | 1 << 8 | 1 << 10 | 1ull << 63, 4, false, "A, XU, bit 63: not reserved"},
        {0x7000 | RWX | 1 << 6, 3, true, "bit 6 reserved in a PDPTE to a PD"},
        {0x7000 | RWX | 6 << 3, 2, true, "memory type in a PDE to a PT"},
        {0x7000 | RWX | 6 << 3, 1, false, "WB 4 KiB page"},
        {0x7000 | RWX | 0 << 3 | 1 << 6 | 1 << 7, 1, false, "UC, IPAT; bit 7 ignored in a PTE"},
        {0x7000 | RWX | 2 << 3, 1, true, "memory type 2"},
        {0x7000 | RWX | 3 << 3, 1, true, "memory type 3"},
        {0x7000 | RWX | 7 << 3, 2, true, "type 7 in a PDE to a PT: reserved bits 6:3..."},
        {0x7000 | RWX | 7 << 3 | 1 << 7, 2, true, "...and in a 2 MiB leaf a bad type"},
        {2 * MiB | RW | 6 << 3 | 1 << 7, 2, false, "2 MiB page"},
        {2 * MiB | 0x1000 | RW | 6 << 3 | 1 << 7, 2, true, "bit 12 reserved in a 2 MiB page"},
        {GiB | RW | 6 << 3 | 1 << 7, 3, false, "1 GiB page"},
        {GiB | 2 * MiB | RW | 6 << 3 | 1 << 7, 3, true, "bit 21 reserved in a 1 GiB page"},
        {0x7000 | RWX, 0, true, "no level 0"},
        {0x7000 | RWX, 5, true, "no level 5 in a 4-level EPT"},
    };
    for (const Case& c : cases) {
        INFO(c.why);
        CHECK(ept_entry_misconfigured(EptEntry(c.raw), c.level) == c.bad);
    }
    // Address bits at or above MAXPHYADDR are reserved.
    EptEntry high(0x0000'8000'0000'0000 | RWX | 6 << 3);
    CHECK_FALSE(ept_entry_misconfigured(high, 1));
    CHECK(ept_entry_misconfigured(high, 1, 46));
    CHECK_FALSE(ept_entry_misconfigured(EptEntry(0x3f'ffff'f000 | RWX | 6 << 3), 1, 38));
    // Execute-only is a misconfiguration on CPUs that lack it (IA32_VMX_EPT_VPID_CAP bit 0).
    CHECK(ept_entry_misconfigured(EptEntry(0x7000 | EPT_EXECUTE), 1, 52, false));
    CHECK_FALSE(ept_entry_misconfigured(EptEntry(0x7000 | EPT_EXECUTE | EPT_READ), 1, 52, false));
}
