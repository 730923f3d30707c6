// Lab 1: page tables, built in fake physical memory made of 4 KiB-aligned host pages.
#include "core/mem/page_table.h"
#include "tests/host/fake_phys.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace kern;

namespace {
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

using FakePhys = kern::test::FakePhys<Pte>;

PageTable make(FakePhys& mem) {
    auto pt = PageTable::create(mem, mem);
    INFO(pt.error().what);
    REQUIRE(pt.ok());
    return pt.value();
}
} // namespace

TEST_CASE("map then translate, with page offsets", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    CHECK(mem.frames_used() == 1);
    REQUIRE_OK(pt.map(0x400000, 0x1234000, Pte::WRITABLE));
    REQUIRE_OK(pt.map(0xffff'8000'0000'1000, 0x5000, Pte::NO_EXECUTE));

    auto t = pt.translate(0x400abc);
    REQUIRE(t.ok());
    CHECK(t.value().phys == 0x1234abc);
    CHECK(t.value().page_size == 4 * KiB);
    CHECK(t.value().writable);
    CHECK_FALSE(t.value().user);
    CHECK_FALSE(t.value().no_execute);

    auto k = pt.translate(0xffff'8000'0000'1fff);
    REQUIRE(k.ok());
    CHECK(k.value().phys == 0x5fff);
    CHECK_FALSE(k.value().writable);
    CHECK(k.value().no_execute);

    CHECK(pt.translate(0x401000).error().code == Errc::not_found);
    CHECK(pt.translate(0x7fff'ffff'f000).error().code == Errc::not_found);
}

TEST_CASE("permissions combine across levels", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    REQUIRE_OK(pt.map(0x1000, 0xa000, 0));                         // kernel, read-only
    REQUIRE_OK(pt.map(0x2000, 0xb000, Pte::WRITABLE | Pte::USER)); // user, same PT
    auto kernel = pt.translate(0x1000).value();
    auto user = pt.translate(0x2000).value();
    CHECK_FALSE(kernel.user); // U on the intermediates does not leak to a kernel leaf
    CHECK_FALSE(kernel.writable);
    CHECK(user.user);
    CHECK(user.writable);

    // Clear R/W in the PD entry by hand: the writable leaf below is no longer writable.
    Pte* pml4 = mem.table(pt.root());
    Pte* pdpt = mem.table(pml4[0].address());
    Pte* pd = mem.table(pdpt[0].address());
    CHECK(pml4[0].user());
    pd[0].set_writable(false);
    CHECK_FALSE(pt.translate(0x2000).value().writable);
    // Clear U in the PDPT entry: no longer a user page. Set XD in the PML4 entry: no-execute.
    pdpt[0].set_user(false);
    pml4[0].set_no_execute(true);
    auto t = pt.translate(0x2000).value();
    CHECK_FALSE(t.user);
    CHECK(t.no_execute);
    CHECK(t.phys == 0xb000);
}

TEST_CASE("unmap returns the address and the page is gone", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    REQUIRE_OK(pt.map(0x7000'0000, 0x9000, Pte::WRITABLE));
    REQUIRE_OK(pt.map(0x7000'1000, 0xa000, Pte::WRITABLE));
    auto old = pt.unmap(0x7000'0000);
    REQUIRE(old.ok());
    CHECK(old.value() == 0x9000);
    CHECK(pt.translate(0x7000'0000).error().code == Errc::not_found);
    CHECK(pt.translate(0x7000'1000).value().phys == 0xa000); // the neighbour stays
    CHECK(pt.unmap(0x7000'0000).error().code == Errc::not_found);
    CHECK(pt.unmap(0x1234'5000'0000).error().code == Errc::not_found); // no tables at all
    REQUIRE_OK(pt.map(0x7000'0000, 0xc000, 0));                        // the slot can be reused
    CHECK(pt.translate(0x7000'0010).value().phys == 0xc010);
}

TEST_CASE("mapping a mapped page is refused", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    REQUIRE_OK(pt.map(0x10000, 0x20000, 0));
    CHECK(pt.map(0x10000, 0x30000, Pte::WRITABLE).error().code == Errc::already_exists);
    auto t = pt.translate(0x10000).value();
    CHECK(t.phys == 0x20000);
    CHECK_FALSE(t.writable);
}

TEST_CASE("bad addresses and flags are refused", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    const uint64_t non_canonical = 0x0000'8000'0000'0000;
    CHECK(pt.map(non_canonical, 0x1000, 0).error().code == Errc::invalid_argument);
    CHECK(pt.map(0xffff'0000'0000'0000, 0x1000, 0).error().code == Errc::invalid_argument);
    CHECK(pt.translate(non_canonical).error().code == Errc::invalid_argument);
    CHECK(pt.unmap(non_canonical).error().code == Errc::invalid_argument);
    CHECK(pt.map(0x1800, 0x1000, 0).error().code == Errc::invalid_argument); // unaligned va
    CHECK(pt.map(0x1000, 0x1800, 0).error().code == Errc::invalid_argument); // unaligned pa
    CHECK(pt.map(0x1000, uint64_t{1} << 52, 0).error().code == Errc::invalid_argument);
    CHECK(pt.map(0x1000, 0x2000, Pte::HUGE).error().code == Errc::invalid_argument);
    CHECK(pt.map(0x1000, 0x2000, 0x3000).error().code == Errc::invalid_argument);
    CHECK(mem.frames_used() == 1); // nothing was allocated for refused requests
}

TEST_CASE("neighbouring pages share intermediate tables", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    REQUIRE_OK(pt.map(0x1000, 0x1000, 0));
    CHECK(mem.frames_used() == 4); // PML4 + PDPT + PD + PT
    REQUIRE_OK(pt.map(0x2000, 0x2000, 0));
    REQUIRE_OK(pt.map(0x1ff000, 0x3000, 0));
    CHECK(mem.frames_used() == 4); // same PT
    REQUIRE_OK(pt.map(0x200000, 0x4000, 0));
    CHECK(mem.frames_used() == 5); // next PD entry: a new PT
    REQUIRE_OK(pt.map(1 * GiB, 0x5000, 0));
    CHECK(mem.frames_used() == 7); // next PDPT entry: a new PD and PT
    REQUIRE_OK(pt.map(512 * GiB, 0x6000, 0));
    CHECK(mem.frames_used() == 10); // next PML4 entry: PDPT, PD and PT
    CHECK(pt.translate(0x1ff000).value().phys == 0x3000);
    CHECK(pt.translate(512 * GiB).value().phys == 0x6000);
}

TEST_CASE("running out of frames fails cleanly", "[lab1]") {
    FakePhys mem(3); // the PML4 and two more: one short of a first mapping
    PageTable pt = make(mem);
    CHECK(pt.map(0x1000, 0x1000, 0).error().code == Errc::no_memory);
    CHECK(pt.translate(0x1000).error().code == Errc::not_found);
}

TEST_CASE("hand-built 2 MiB and 1 GiB pages translate", "[lab1]") {
    FakePhys mem(8);
    uint64_t root = mem.alloc_zeroed_frame().value();
    uint64_t pdpt = mem.alloc_zeroed_frame().value();
    uint64_t pd = mem.alloc_zeroed_frame().value();
    mem.table(root)[0] = Pte::make(pdpt, Pte::WRITABLE | Pte::USER);
    mem.table(pdpt)[0] = Pte::make(pd, Pte::WRITABLE | Pte::USER);
    // PD entry 3 maps [6 MiB, 8 MiB) to 2 GiB; bit 12 (PAT in a huge entry) is not address.
    mem.table(pd)[3] = Pte(0x8000'0000 | 0x1000 | Pte::PRESENT | Pte::WRITABLE | Pte::HUGE);
    // PDPT entry 2 maps [2 GiB, 3 GiB) to 4 GiB.
    mem.table(pdpt)[2] =
        Pte(0x1'0000'0000 | Pte::PRESENT | Pte::USER | Pte::HUGE | Pte::NO_EXECUTE);
    PageTable pt(root, mem, mem);

    auto t2 = pt.translate(6 * MiB + 0x12345);
    REQUIRE(t2.ok());
    CHECK(t2.value().phys == 0x8001'2345);
    CHECK(t2.value().page_size == 2 * MiB);
    CHECK(t2.value().writable);
    CHECK_FALSE(t2.value().user);
    auto t1 = pt.translate(2 * GiB + 0x3456789);
    REQUIRE(t1.ok());
    CHECK(t1.value().phys == 0x1'0345'6789);
    CHECK(t1.value().page_size == 1 * GiB);
    CHECK(t1.value().user);
    CHECK_FALSE(t1.value().writable);
    CHECK(t1.value().no_execute);

    // 4 KiB operations inside a huge page are refused, not split.
    CHECK(pt.map(6 * MiB + 0x1000, 0x1000, 0).error().code == Errc::unsupported);
    CHECK(pt.map(2 * GiB, 0x1000, 0).error().code == Errc::unsupported);
    CHECK(pt.unmap(7 * MiB).error().code == Errc::unsupported);
    CHECK(mem.frames_used() == 3);
}

TEST_CASE("protect changes permissions and keeps the frame", "[lab1]") {
    FakePhys mem(64);
    PageTable pt = make(mem);
    REQUIRE_OK(pt.map(0x5000, 0x9000, Pte::WRITABLE));
    REQUIRE_OK(pt.protect(0x5000, Pte::NO_EXECUTE));
    auto t = pt.translate(0x5000).value();
    CHECK(t.phys == 0x9000);
    CHECK_FALSE(t.writable);
    CHECK(t.no_execute);
    REQUIRE_OK(pt.protect(0x5123, Pte::WRITABLE | Pte::USER)); // any address in the page
    t = pt.translate(0x5000).value();
    CHECK(t.writable);
    CHECK(t.user); // U added on the way down
    CHECK_FALSE(t.no_execute);
    CHECK(pt.protect(0x6000, 0).error().code == Errc::not_found);
    CHECK(pt.protect(0x5000, Pte::HUGE).error().code == Errc::invalid_argument);
}
