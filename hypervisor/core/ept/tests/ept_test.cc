// Lab 6, step 1: EPT built in fake physical memory made of 4 KiB-aligned host pages (SDM Vol
// 3C 29.3). The fake memory holds only table frames: touching a mapped (guest) page fails the test.
#include "hypervisor/core/ept/tests/ept_rig.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;

TEST_CASE("aligned ranges use 2 MiB pages", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    CHECK(mem.frames_used() == 1);
    REQUIRE_OK(ept.map(2 * MiB, X, 4 * MiB, RWX, WB));
    CHECK(mem.frames_used() == 3); // PML4, PDPT, PD: no PT at all
    CHECK(mem.pd0(ept)[1].large());
    CHECK(mem.pd0(ept)[2].large());
    CHECK(tr(ept, 2 * MiB + 0x1234).hpa == X + 0x1234);
    CHECK(tr(ept, 2 * MiB).page_size == 2 * MiB);
    CHECK(tr(ept, 6 * MiB - 1).hpa == X + 4 * MiB - 1);
    CHECK(ept.translate(6 * MiB).error().code == Errc::not_found);
    CHECK(ept.translate(0).error().code == Errc::not_found);
}

TEST_CASE("unaligned heads and tails use 4 KiB pages", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    // 2 pages of head, one 2 MiB page, 3 pages of tail.
    REQUIRE_OK(
        ept.map(2 * MiB - 8 * KiB, X + 2 * MiB - 8 * KiB, 8 * KiB + 2 * MiB + 12 * KiB, RW, WB));
    CHECK(mem.frames_used() == 5); // PML4, PDPT, PD, and a PT each for head and tail
    CHECK(tr(ept, 2 * MiB - 8 * KiB).page_size == 4 * KiB);
    CHECK(tr(ept, 2 * MiB).page_size == 2 * MiB);
    CHECK(tr(ept, 4 * MiB).page_size == 4 * KiB);
    CHECK(tr(ept, 4 * MiB + 8 * KiB + 0xfff).hpa == X + 4 * MiB + 8 * KiB + 0xfff);
    CHECK(ept.translate(4 * MiB + 12 * KiB).error().code == Errc::not_found);
    CHECK(ept.translate(2 * MiB - 12 * KiB).error().code == Errc::not_found);

    // gpa 2 MiB-aligned but hpa not: 2 MiB pages are impossible, 512 4 KiB pages it is.
    REQUIRE_OK(ept.map(1 * GiB, X + 64 * MiB + 4 * KiB, 2 * MiB, RW, WB));
    CHECK(mem.frames_used() == 7); // a new PD and one PT
    CHECK(tr(ept, 1 * GiB + 2 * MiB - 1).hpa == X + 66 * MiB + 4 * KiB - 1);
    CHECK(tr(ept, 1 * GiB).page_size == 4 * KiB);
}

TEST_CASE("translate reports offsets, perms and memory types", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(1 * MiB, 0xfee0'0000, 4 * KiB, RW, UC)); // an MMIO page
    REQUIRE_OK(ept.map(8 * MiB, X, 2 * MiB, RX, WB));
    auto mmio = tr(ept, 1 * MiB + 0x30);
    CHECK(mmio.hpa == 0xfee0'0030);
    CHECK(mmio.perms == RW);
    CHECK(mmio.memory_type == UC);
    CHECK(mmio.page_size == 4 * KiB);
    CHECK_FALSE(mmio.ignore_pat);
    auto ram = tr(ept, 8 * MiB + 0x12'3456);
    CHECK(ram.hpa == X + 0x12'3456);
    CHECK(ram.perms == RX);
    CHECK(ram.memory_type == WB);

    // The entries themselves: leaves carry type and perms; tables are RWX with no type.
    EptEntry* pml4 = mem.table(ept.root());
    CHECK((pml4[0].raw() & 0xfff) == RWX);
    EptEntry pde = mem.pd0(ept)[4];
    CHECK(pde.raw() == (X | RX | 6 << 3 | EptEntry::LARGE));
    CHECK(mem.table(mem.pd0(ept)[0].address())[256].raw() == (0xfee0'0000 | RW | 0 << 3));

    // Leaves the CPU would reject are reported, not translated.
    mem.pd0(ept)[4] = EptEntry(X | EPT_WRITE | 6 << 3 | EptEntry::LARGE);
    CHECK(ept.translate(8 * MiB).error().code == Errc::corrupt);
    mem.pd0(ept)[4] = EptEntry(X | RX | 2 << 3 | EptEntry::LARGE);
    CHECK(ept.translate(8 * MiB).error().code == Errc::corrupt);
    CHECK(ept.translate(uint64_t{1} << 48).error().code == Errc::invalid_argument);
}

TEST_CASE("hand-built 1 GiB pages translate and are not split", "[lab6]") {
    FakePhys mem(8);
    uint64_t root = mem.alloc_zeroed_frame().value();
    uint64_t pdpt = mem.alloc_zeroed_frame().value();
    mem.table(root)[0] = EptEntry::table(pdpt);
    mem.table(pdpt)[1] = EptEntry::leaf(8 * GiB, R, WB, true);
    Ept ept(root, mem, mem);
    auto t = tr(ept, 1 * GiB + 0x345'6789);
    CHECK(t.hpa == 8 * GiB + 0x345'6789);
    CHECK(t.page_size == 1 * GiB);
    CHECK(t.perms == R);
    CHECK(ept.map(2 * GiB - 4 * KiB, 0, 8 * KiB, R, WB).error().code == Errc::already_exists);
    CHECK(mem.frames_used() == 2);
}

TEST_CASE("overlapping mappings are refused and change nothing", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(2 * MiB, X, 2 * MiB, RW, WB));
    size_t frames = mem.frames_used();
    CHECK(ept.map(3 * MiB, 0, 4 * KiB, RW, WB).error().code == Errc::already_exists);
    CHECK(ept.map(0, 0, 2 * MiB + 4 * KiB, RW, WB).error().code == Errc::already_exists);
    CHECK(ept.map(4 * MiB - 4 * KiB, 0, 8 * KiB, RW, WB).error().code == Errc::already_exists);
    CHECK(ept.translate(0).error().code == Errc::not_found); // nothing half-mapped
    CHECK(ept.translate(4 * MiB).error().code == Errc::not_found);
    CHECK(mem.frames_used() == frames);
    CHECK(tr(ept, 3 * MiB).hpa == X + 1 * MiB);
    REQUIRE_OK(ept.map(4 * MiB, X + 2 * MiB, 2 * MiB, RW, WB)); // adjacent is fine
    REQUIRE_OK(ept.map(2 * MiB - 4 * KiB, 0x9000, 4 * KiB, RW, WB));
}

TEST_CASE("bad arguments are refused", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    auto code = [](Result<void> r) { return r.error().code; };
    const Errc bad = Errc::invalid_argument;
    CHECK(code(ept.map(0x800, 0, 4 * KiB, R, WB)) == bad);                         // unaligned gpa
    CHECK(code(ept.map(0, 0x800, 4 * KiB, R, WB)) == bad);                         // unaligned hpa
    CHECK(code(ept.map(0, 0, 0x800, R, WB)) == bad);                               // unaligned size
    CHECK(code(ept.map(0, 0, 0, R, WB)) == bad);                                   // empty
    CHECK(code(ept.map(~uint64_t{0xfff}, 0, 8 * KiB, R, WB)) == bad);              // wraps
    CHECK(code(ept.map((uint64_t{1} << 48) - 4 * KiB, 0, 8 * KiB, R, WB)) == bad); // > 48 bits
    CHECK(code(ept.map(0, (uint64_t{1} << 52) - 4 * KiB, 8 * KiB, R, WB)) == bad); // hpa > 52
    CHECK(code(ept.map(0, 0, 4 * KiB, 0, WB)) == bad);                             // no access
    CHECK(code(ept.map(0, 0, 4 * KiB, EPT_WRITE, WB)) == bad);                     // W without R
    CHECK(code(ept.map(0, 0, 4 * KiB, EPT_WRITE | EPT_EXECUTE, WB)) == bad);       // WX without R
    CHECK(code(ept.map(0, 0, 4 * KiB, 8, WB)) == bad); // not an access bit
    CHECK(code(ept.map(0, 0, 4 * KiB, R, static_cast<EptMemoryType>(3))) == bad);
    CHECK(mem.frames_used() == 1); // nothing was allocated for refused requests
    REQUIRE_OK(ept.map(0, 0, 4 * KiB, EPT_EXECUTE, WB)); // execute-only is allowed
}

TEST_CASE("64 MiB of guest RAM at GPA 0 takes 32 2 MiB leaves", "[lab6]") {
    FakePhys mem(48);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 64 * MiB, RWX, WB));
    CHECK(mem.frames_used() == 3);
    int large = 0, other = 0;
    for (unsigned i = 0; i < EPT_ENTRIES; ++i) {
        EptEntry e = mem.pd0(ept)[i];
        if (e.present()) {
            (e.large() && !ept_entry_misconfigured(e, 2) ? large : other)++;
            CHECK(e.address() == X + i * 2 * MiB);
        }
    }
    CHECK(large == 32);
    CHECK(other == 0);
    CHECK(tr(ept, 0x12'3456).hpa == X + 0x12'3456);
    CHECK(tr(ept, 64 * MiB - 1).hpa == X + 64 * MiB - 1);
    CHECK(ept.translate(64 * MiB).error().code == Errc::not_found);

    // The same RAM at a host address that is only 4 KiB-aligned needs 32 PTs.
    Ept odd = make(mem);
    REQUIRE_OK(odd.map(0, X + 4 * KiB, 64 * MiB, RWX, WB));
    CHECK(mem.frames_used() == 3 + 3 + 32);
    CHECK(tr(odd, 64 * MiB - 1).hpa == X + 64 * MiB + 4 * KiB - 1);
}

TEST_CASE("eptp: write-back, 4-level walk, optional A/D", "[lab6]") {
    FakePhys mem(4);
    Ept ept = make(mem);
    CHECK(ept.root() == FakePhys::BASE);
    CHECK(ept.eptp(false) == (FakePhys::BASE | 6 | 3 << 3));
    CHECK(ept.eptp(true) == (FakePhys::BASE | 6 | 3 << 3 | 1 << 6));
}

TEST_CASE("running out of frames undoes a partial map", "[lab6]") {
    FakePhys mem(4); // PML4, PDPT, PD, and one PT for the head; none left for the tail
    Ept ept = make(mem);
    auto r = ept.map(2 * MiB - 4 * KiB, X + 2 * MiB - 4 * KiB, 2 * MiB + 8 * KiB, RW, WB);
    CHECK(r.error().code == Errc::no_memory);
    CHECK(ept.translate(2 * MiB - 4 * KiB).error().code == Errc::not_found);
    CHECK(ept.translate(2 * MiB).error().code == Errc::not_found);
    REQUIRE_OK(ept.map(2 * MiB, X, 2 * MiB, RW, WB)); // the tables are there and reusable
}

TEST_CASE("destroy returns every table frame", "[lab6]") {
    FakePhys mem(32);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 64 * MiB, RWX, WB));
    REQUIRE_OK(ept.map(512 * GiB + 4 * KiB, 0xfee0'0000, 4 * KiB, RW, UC));
    REQUIRE_OK(ept.map(3 * GiB, X + 4 * KiB, 8 * KiB, R, WB));
    CHECK(mem.frames_used() == 8); // PML4; PDPT+PD; PDPT+PD+PT; PD+PT
    ept.destroy();
    CHECK(mem.frames_used() == 0);
    CHECK(ept.root() == 0);
}
