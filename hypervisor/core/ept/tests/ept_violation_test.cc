// Lab 6, step 3: EPT violations (ept_violation.h) on a fake VMCS, with a real Ept in fake
// physical memory and a DirtyLog. The test plays the processor: it fills GUEST_PHYSICAL_ADDRESS
// and EXIT_QUALIFICATION as an EPT violation would (SDM Vol 3C Table 28-7) and calls the handler.
#include "hypervisor/core/ept/dirty_log.h"
#include "hypervisor/core/ept/ept_violation.h"
#include "hypervisor/core/ept/tests/fake_phys.h"
#include "hypervisor/core/tests/exit_rig.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

#include <string>

using namespace hv;
using hv::test::FakePhys;

namespace {
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;
constexpr uint64_t RAM = 2 * MiB;               // the rig's guest RAM, at guest-physical 0
constexpr uint64_t RAM_HPA = uint64_t{8} << 30; // where it is in host-physical memory
constexpr uint64_t RX = EPT_READ | EPT_EXECUTE;

// EXIT_QUALIFICATION bits of an EPT violation (SDM Vol 3C Table 28-7).
constexpr uint64_t Q_READ = 1, Q_WRITE = 2, Q_FETCH = 4;               // the access
constexpr uint64_t Q_READABLE = 8, Q_WRITABLE = 16, Q_EXECUTABLE = 32; // what the EPT allowed
constexpr uint64_t Q_LINEAR = 0x80, Q_TRANSLATED = 0x100;              // GUEST_LINEAR_ADDRESS valid

/// The rig of the exit-handler tests, with an EPT mapping its RAM and (if @p logging) a dirty
/// log armed over it: RAM is read/execute-only, one 2 MiB page.
struct Rig : hv::test::ExitRig {
    FakePhys mem;
    Ept ept;
    DirtyLog log;
    /// @p ram bytes of guest RAM as far as the EPT and the handler know (the handler never
    /// touches the rig's own 2 MiB).
    explicit Rig(bool logging = true, size_t frames = 16, uint64_t ram = RAM)
        : mem(frames), log(ram / kern::PAGE_SIZE) {
        cfg.ram_bytes = ram;
        auto e = Ept::create(mem, mem);
        REQUIRE_OK(e);
        ept = e.value();
        REQUIRE_OK(ept.map(0, RAM_HPA, ram, EPT_PERMS, EptMemoryType::write_back));
        REQUIRE_OK(arm_dirty_log(ept, log));
        ctx.ept = &ept;
        if (logging) ctx.dirty = &log;
    }
    /// An EPT violation at @p gpa with qualification @p q: true if the guest stops.
    bool violation(uint64_t gpa, uint64_t q, uint64_t linear = 0) {
        fake.set(GUEST_PHYSICAL_ADDRESS, gpa);
        fake.set(GUEST_LINEAR_ADDRESS, linear);
        fake.set(VM_EXIT_REASON, uint32_t(ExitReason::EXIT_REASON_EPT_VIOLATION));
        fake.set(EXIT_QUALIFICATION, q);
        return exits::handle_ept_violation(vmcs, regs, ctx);
    }
    uint64_t perms(uint64_t gpa) {
        auto t = ept.translate(gpa);
        REQUIRE_OK(t);
        return t.value().perms;
    }
    std::string last_line() const { return env.lines.empty() ? "" : env.lines.back(); }
};

/// A data write to write-protected RAM, as the processor reports it.
constexpr uint64_t WRITE_TO_RX = Q_WRITE | Q_READABLE | Q_EXECUTABLE | Q_LINEAR | Q_TRANSLATED;
} // namespace

TEST_CASE("a write to a write-protected page is logged, made writable and run again", "[lab6]") {
    Rig rig;
    CHECK_FALSE(rig.violation(0x5008, WRITE_TO_RX, 0x5008));
    CHECK(rig.log.dirty(5));
    CHECK(rig.log.count() == 1);
    CHECK(rig.perms(0x5000) == EPT_PERMS); // that page, and only that page, is writable again
    CHECK(rig.ept.translate(0x5000).value().page_size == 4 * KiB);
    CHECK(rig.ept.translate(0x5000).value().hpa == RAM_HPA + 0x5000);
    CHECK(rig.perms(0x4000) == RX);
    CHECK(rig.perms(0x6000) == RX);
    CHECK(rig.rip() == 0x1000); // not skipped: the write runs again
    REQUIRE(rig.env.invepts.size() == 1);
    CHECK(rig.env.invepts[0] == rig.ept.eptp(false));
    CHECK(rig.out.total_exits == 0); // counting is handle_exit()'s, not the handler's
}

TEST_CASE("each page's first write is logged, and a log armed again starts over", "[lab6]") {
    Rig rig;
    CHECK_FALSE(rig.violation(0x5000, WRITE_TO_RX));
    CHECK_FALSE(rig.violation(RAM - 8, WRITE_TO_RX)); // the last page of RAM
    CHECK(rig.log.dirty(5));
    CHECK(rig.log.dirty(RAM / kern::PAGE_SIZE - 1));
    CHECK_FALSE(rig.log.dirty(4));
    CHECK(rig.log.count() == 2);
    CHECK(rig.env.invepts.size() == 2);
    CHECK(rig.perms(RAM - 8) == EPT_PERMS);

    REQUIRE_OK(arm_dirty_log(rig.ept, rig.log)); // a checkpoint: read-only again, log empty
    CHECK(rig.perms(0x5000) == RX);
    CHECK_FALSE(rig.violation(0x5010, WRITE_TO_RX));
    CHECK(rig.log.dirty(5));
    CHECK(rig.log.count() == 1);
}

TEST_CASE("a write outside RAM stops the guest at its address, saying so", "[lab6]") {
    Rig rig;
    CHECK(rig.violation(RAM, Q_WRITE));
    CHECK(rig.out.end == GuestEnd::ept_violation);
    CHECK(rig.out.detail == RAM);
    CHECK(rig.log.count() == 0);
    CHECK(rig.env.invepts.empty());
    std::string line = rig.last_line();
    CHECK(line.find("'t'") != std::string::npos);
    CHECK(line.find("write") != std::string::npos);
    CHECK(line.find("0x200000") != std::string::npos);
    CHECK(line.find("0x1000") != std::string::npos); // the RIP
}

TEST_CASE("reads and instruction fetches stop the guest, naming the access", "[lab6]") {
    Rig reader;
    CHECK(reader.violation(0xFEE00000, Q_READ | Q_LINEAR | Q_TRANSLATED, 0xFFFF8000FEE00000));
    CHECK(reader.out.end == GuestEnd::ept_violation);
    CHECK(reader.out.detail == 0xFEE00000);
    CHECK(reader.last_line().find("read") != std::string::npos);
    CHECK(reader.last_line().find("0xffff8000fee00000") != std::string::npos); // linear, valid

    Rig fetcher;
    CHECK(fetcher.violation(0x7000, Q_FETCH | Q_READABLE, 0x4242000)); // RAM, but no execute
    CHECK(fetcher.out.end == GuestEnd::ept_violation);
    CHECK(fetcher.out.detail == 0x7000);
    CHECK(fetcher.last_line().find("instruction fetch") != std::string::npos);
    CHECK(fetcher.last_line().find("0x4242000") == std::string::npos); // linear not valid
    CHECK(fetcher.log.count() == 0);

    Rig hole; // a write to a page of RAM that is not mapped at all is no dirty-log write
    REQUIRE_OK(hole.ept.unmap(0x9000, 4 * KiB));
    CHECK(hole.violation(0x9000, Q_WRITE));
    CHECK(hole.out.end == GuestEnd::ept_violation);
    CHECK(hole.log.count() == 0);
    CHECK(hole.env.invepts.empty());
}

TEST_CASE("without a dirty log, a write to a read-only page stops the guest", "[lab6]") {
    Rig rig(false);
    CHECK(rig.violation(0x5000, WRITE_TO_RX));
    CHECK(rig.out.end == GuestEnd::ept_violation);
    CHECK(rig.out.detail == 0x5000);
    CHECK(rig.perms(0x5000) == RX); // still read-only
    CHECK(rig.env.invepts.empty());
}

TEST_CASE("no frame to split the page for the write stops the guest and says why", "[lab6]") {
    // 4 MiB of RAM, two 2 MiB pages, and one frame to spare: the first page's split takes it.
    Rig rig(true, 4, 2 * RAM);
    CHECK_FALSE(rig.violation(0x5000, WRITE_TO_RX));
    CHECK(rig.log.dirty(5));
    const size_t lines = rig.env.lines.size();
    CHECK(rig.violation(RAM + 0x5000, WRITE_TO_RX)); // the second page cannot be split
    CHECK(rig.out.end == GuestEnd::unhandled_exit);
    CHECK(rig.env.lines.size() == lines + 1);
    CHECK(rig.perms(RAM + 0x5000) == RX);
    CHECK(rig.env.invepts.size() == 1);
}
