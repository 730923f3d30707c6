// Lab 6, step 2: EPT changed in fake physical memory made of 4 KiB-aligned host pages (SDM Vol
// 3C 29.3). The fake memory holds only table frames: touching a mapped (guest) page fails the test.
#include "hypervisor/core/ept/tests/ept_rig.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;

TEST_CASE("unmapping part of a 2 MiB page splits it", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 4 * MiB, RWX, WB));
    CHECK(mem.frames_used() == 3);
    REQUIRE_OK(ept.unmap(1 * MiB, 8 * KiB));
    CHECK(mem.frames_used() == 4); // one PT for the split page
    CHECK(ept.translate(1 * MiB).error().code == Errc::not_found);
    CHECK(ept.translate(1 * MiB + 4 * KiB).error().code == Errc::not_found);
    auto after = tr(ept, 1 * MiB + 8 * KiB + 5);
    CHECK(after.hpa == X + 1 * MiB + 8 * KiB + 5);
    CHECK(after.page_size == 4 * KiB);
    CHECK(after.perms == RWX);
    CHECK(after.memory_type == WB);
    CHECK(tr(ept, 0).hpa == X);
    CHECK(tr(ept, 2 * MiB - 1).hpa == X + 2 * MiB - 1);
    CHECK(tr(ept, 2 * MiB).page_size == 2 * MiB); // the neighbour is untouched

    CHECK(ept.unmap(1 * MiB, 4 * KiB).error().code == Errc::not_found);
    CHECK(ept.unmap(1 * MiB - 4 * KiB, 12 * KiB).error().code == Errc::not_found);
    CHECK(tr(ept, 1 * MiB - 4 * KiB).hpa == X + 1 * MiB - 4 * KiB); // refused: unchanged
    REQUIRE_OK(ept.unmap(2 * MiB, 2 * MiB));                        // a whole 2 MiB page: no split
    CHECK(mem.frames_used() == 4);
    CHECK(ept.translate(3 * MiB).error().code == Errc::not_found);

    // Empty the PT, then map 2 MiB over it: the PT goes back and a 2 MiB leaf replaces it.
    REQUIRE_OK(ept.unmap(0, 1 * MiB));
    REQUIRE_OK(ept.unmap(1 * MiB + 8 * KiB, 1 * MiB - 8 * KiB));
    REQUIRE_OK(ept.map(0, X + 2 * MiB, 2 * MiB, R, WB));
    CHECK(mem.frames_used() == 3);
    CHECK(tr(ept, 1 * MiB).hpa == X + 3 * MiB);

    // The first 4 KiB of that aligned 2 MiB page: aligned, but not all of it, so it splits.
    REQUIRE_OK(ept.unmap(0, 4 * KiB));
    CHECK(ept.translate(0).error().code == Errc::not_found);
    CHECK(tr(ept, 4 * KiB).hpa == X + 2 * MiB + 4 * KiB);
    CHECK(tr(ept, 4 * KiB).page_size == 4 * KiB);
}

TEST_CASE("protect to read-only, splitting where needed", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 4 * MiB, RWX, WB));
    EptEntry* pd = mem.pd0(ept);
    pd[0] = EptEntry(pd[0].raw() | EptEntry::ACCESSED | EptEntry::DIRTY); // as the CPU would
    pd[1] = EptEntry(pd[1].raw() | EptEntry::DIRTY | EptEntry::IGNORE_PAT);
    REQUIRE_OK(ept.protect(0, 2 * MiB, R));
    CHECK(mem.frames_used() == 3);
    CHECK(pd[0].raw() == (X | R | 6 << 3 | EptEntry::LARGE | EptEntry::ACCESSED | EptEntry::DIRTY));
    CHECK(tr(ept, 0x1234).perms == R);
    CHECK(tr(ept, 0x1234).page_size == 2 * MiB);

    REQUIRE_OK(ept.protect(2 * MiB + 4 * KiB, 4 * KiB, RX));
    CHECK(mem.frames_used() == 4);
    auto t = tr(ept, 2 * MiB + 4 * KiB + 7);
    CHECK(t.hpa == X + 2 * MiB + 4 * KiB + 7);
    CHECK(t.perms == RX);
    CHECK(t.memory_type == WB);
    CHECK(t.ignore_pat);                          // the split kept IPAT ...
    CHECK(mem.table(pd[1].address())[1].dirty()); // ... and D
    CHECK(tr(ept, 2 * MiB).perms == RWX);
    CHECK(tr(ept, 2 * MiB + 8 * KiB).perms == RWX);
    CHECK(ept.protect(4 * MiB, 4 * KiB, R).error().code == Errc::not_found);
    CHECK(ept.protect(0, 4 * KiB, 0).error().code == Errc::invalid_argument);
}

TEST_CASE("a hand-built 1 GiB page is not split or changed", "[lab6]") {
    FakePhys mem(8);
    uint64_t root = mem.alloc_zeroed_frame().value();
    uint64_t pdpt = mem.alloc_zeroed_frame().value();
    mem.table(root)[0] = EptEntry::table(pdpt);
    mem.table(pdpt)[1] = EptEntry::leaf(8 * GiB, RW, WB, true);
    Ept ept(root, mem, mem);
    CHECK(ept.unmap(1 * GiB, 4 * KiB).error().code == Errc::unsupported);
    CHECK(ept.protect(1 * GiB + 2 * MiB, 2 * MiB, R).error().code == Errc::unsupported);
    CHECK(tr(ept, 1 * GiB).perms == RW);
    CHECK(tr(ept, 1 * GiB).page_size == 1 * GiB);
    CHECK(mem.frames_used() == 2);
    // The GiB below it, mapped with 2 MiB pages, splits as usual.
    REQUIRE_OK(ept.map(0, X, 2 * MiB, RW, WB));
    REQUIRE_OK(ept.protect(4 * KiB, 4 * KiB, R));
    CHECK(tr(ept, 4 * KiB).perms == R);
    CHECK(tr(ept, 0).perms == RW);
    CHECK(mem.frames_used() == 4); // a PD, and a PT for the split
}

TEST_CASE("unmap and protect refuse bad arguments and change nothing", "[lab6]") {
    FakePhys mem(16);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 2 * MiB, RWX, WB));
    auto code = [](Result<void> r) { return r.error().code; };
    const Errc bad = Errc::invalid_argument;
    CHECK(code(ept.unmap(0x800, 4 * KiB)) == bad);                    // unaligned gpa
    CHECK(code(ept.unmap(0, 0x800)) == bad);                          // unaligned size
    CHECK(code(ept.unmap(0, 0)) == bad);                              // empty
    CHECK(code(ept.unmap(~uint64_t{0xfff}, 8 * KiB)) == bad);         // wraps
    CHECK(code(ept.protect(0, 4 * KiB, EPT_WRITE)) == bad);           // W without R
    CHECK(code(ept.protect(0, 4 * KiB, 0)) == bad);                   // no access: that is unmap()
    CHECK(code(ept.protect(0, 4 * KiB, RWX | 8)) == bad);             // not an access bit
    CHECK(code(ept.protect(0, 0, R)) == bad);                         // empty
    CHECK(code(ept.protect(1 * MiB, 2 * MiB, R)) == Errc::not_found); // runs past the mapping
    CHECK(code(ept.unmap(2 * MiB - 4 * KiB, 8 * KiB)) == Errc::not_found);
    CHECK(mem.frames_used() == 3);        // nothing split for a refused request
    CHECK(tr(ept, 1 * MiB).perms == RWX); // nothing changed
    CHECK(tr(ept, 2 * MiB - 1).page_size == 2 * MiB);
}

TEST_CASE("a split with no frame left changes nothing", "[lab6]") {
    FakePhys mem(3); // PML4, PDPT, PD: no frame for a PT
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 2 * MiB, RWX, WB));
    CHECK(ept.protect(4 * KiB, 4 * KiB, R).error().code == Errc::no_memory);
    CHECK(ept.unmap(4 * KiB, 4 * KiB).error().code == Errc::no_memory);
    CHECK(tr(ept, 4 * KiB).perms == RWX);
    CHECK(tr(ept, 4 * KiB).page_size == 2 * MiB);
    CHECK(tr(ept, 4 * KiB).hpa == X + 4 * KiB);
}

TEST_CASE("destroy returns the tables splits made", "[lab6]") {
    FakePhys mem(32);
    Ept ept = make(mem);
    REQUIRE_OK(ept.map(0, X, 64 * MiB, RWX, WB));
    REQUIRE_OK(ept.unmap(5 * MiB, 4 * KiB));
    REQUIRE_OK(ept.protect(9 * MiB, 4 * KiB, R));
    CHECK(mem.frames_used() == 5); // PML4, PDPT, PD and two split PTs
    ept.destroy();
    CHECK(mem.frames_used() == 0);
}
