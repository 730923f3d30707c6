// The EPT sink (ept_sink.h): stray accesses of a long-lived guest land on one junk page, at a
// constant cost in frames, and the sink leaves the guest's own tables intact. Uses lab 6's Ept.
#include "hypervisor/core/ept/tests/fake_phys.h"
#include "hypervisor/core/slave/ept_sink.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

using namespace hv;
using hv::test::FakePhys;

namespace {
constexpr uint64_t MiB = 1ull << 20, GiB = 1ull << 30;
constexpr uint64_t RAM_HPA = 8 * GiB; // guest RAM in host-physical memory (never touched)
} // namespace

TEST_CASE("absorbed regions translate to the junk page, read/write, no execute") {
    FakePhys mem(64);
    auto ept = Ept::create(mem, mem);
    REQUIRE_OK(ept);
    Ept& e = ept.value();
    REQUIRE_OK(e.map(0, RAM_HPA, 64 * MiB, EPT_PERMS, EptMemoryType::write_back));
    size_t before = mem.frames_used();
    auto sink = EptSink::create(mem, mem);
    REQUIRE_OK(sink);
    EptSink& s = sink.value();
    CHECK(mem.frames_used() == before + 4);

    // Just past RAM (same PD), in the next GiB, and far away (another PML4 entry).
    for (uint64_t gpa : {64 * MiB, 70 * MiB + 0x123, 3 * GiB, 600 * GiB + 4096}) {
        INFO("gpa " << std::hex << gpa);
        CHECK_FALSE(e.translate(gpa).ok());
        REQUIRE_OK(s.absorb(e, gpa));
        auto t = e.translate(gpa);
        REQUIRE_OK(t);
        CHECK(t.value().perms == (EPT_READ | EPT_WRITE));
        CHECK((t.value().hpa & ~0xFFFull) ==
              (e.translate(64 * MiB).value().hpa & ~0xFFFull)); // one junk page
    }
    CHECK(s.absorbed() == 4);
    CHECK(mem.frames_used() == before + 4); // no frame per region
    // A neighbour of an absorbed region in the same junk structure needs no new exit.
    CHECK(e.translate(3 * GiB + 5 * MiB).ok());
    // RAM is untouched.
    CHECK(e.translate(32 * MiB).value().hpa == RAM_HPA + 32 * MiB);
    // A mapped address is not a hole.
    CHECK(s.absorb(e, 32 * MiB).error().code == kern::Errc::already_exists);
    CHECK_FALSE(s.absorb(e, 1ull << 48).ok());

    s.release(e);
    CHECK(mem.frames_used() == before);
    CHECK_FALSE(e.translate(64 * MiB).ok());
    CHECK(e.translate(32 * MiB).ok());
    e.destroy();
    CHECK(mem.frames_used() == 0);
}
