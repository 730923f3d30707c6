// Lab 2 host tests for parse_madt: the captured QEMU and Firecracker MADTs
// (tests/data/README.md) and hand-built tables for the corner cases. Every table is passed in
// a buffer of exactly its size, so AddressSanitizer catches any read past its end.
#include "core/acpi/madt.h"
#include "core/acpi/tables.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using namespace kern;
using namespace kern::acpi;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes load(const std::string& name) {
    std::ifstream f(std::string(ACPI_TEST_DATA) + "/" + name, std::ios::binary);
    REQUIRE(f.good());
    return Bytes(std::istreambuf_iterator<char>(f), {});
}

// Builds an MADT entry by entry; bytes() fixes Length and the checksum.
struct MadtBuilder {
    Bytes b;
    explicit MadtBuilder(uint8_t revision = 5, uint32_t lapic = 0xFEE00000, uint32_t flags = 1) {
        b = {'A', 'P', 'I', 'C', 0, 0, 0, 0, revision, 0};
        b.resize(36, 'K');
        put(lapic, 4), put(flags, 4);
    }
    MadtBuilder& put(uint64_t v, int n) {
        for (int i = 0; i < n; i++)
            b.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    MadtBuilder& lapic(uint8_t uid, uint8_t id, uint32_t flags) {
        return put(0, 1).put(8, 1).put(uid, 1).put(id, 1).put(flags, 4);
    }
    MadtBuilder& x2apic(uint32_t id, uint32_t uid, uint32_t flags) {
        return put(9, 1).put(16, 1).put(0, 2).put(id, 4).put(flags, 4).put(uid, 4);
    }
    MadtBuilder& ioapic(uint8_t id, uint32_t addr, uint32_t gsi_base) {
        return put(1, 1).put(12, 1).put(id, 1).put(0, 1).put(addr, 4).put(gsi_base, 4);
    }
    Bytes bytes() const {
        Bytes t = b;
        for (int i = 0; i < 4; i++)
            t[4 + i] = static_cast<uint8_t>(t.size() >> (8 * i));
        t[9] = 0;
        t[9] = static_cast<uint8_t>(-checksum(t.data(), t.size()));
        return t;
    }
};

// Parse into a heap MadtInfo (it is ~1.5 KiB); the table sits in an exact-size buffer.
struct Parsed {
    std::unique_ptr<MadtInfo> info = std::make_unique<MadtInfo>();
    Result<void> result;
    explicit Parsed(const Bytes& t) : result(parse_madt(t.data(), t.size(), *info)) {}
    const MadtInfo* operator->() const { return info.get(); }
};

} // namespace

TEST_CASE("captured Firecracker MADT: two CPUs, one IOAPIC") {
    Parsed p(load("firecracker-APIC.bin"));
    REQUIRE(p.result.ok());
    CHECK(p->lapic_address == 0xFEE00000);
    CHECK(p->flags == 0);
    REQUIRE(p->cpu_count == 2);
    for (uint32_t i = 0; i < 2; i++) {
        CHECK(p->cpus[i].apic_id == i);
        CHECK(p->cpus[i].acpi_uid == i);
        CHECK(p->cpus[i].enabled);
        CHECK_FALSE(p->cpus[i].x2apic);
    }
    REQUIRE(p->ioapic_count == 1);
    CHECK(p->ioapics[0].id == 0);
    CHECK(p->ioapics[0].address == 0xFEC00000);
    CHECK(p->ioapics[0].gsi_base == 0);
    CHECK(p->iso_count == 0);
    CHECK(p->nmi_count == 0);
    CHECK_FALSE(p->truncated);
}

TEST_CASE("captured QEMU q35 MADT: hot-pluggable CPUs, overrides, NMI") {
    Parsed p(load("qemu-q35-APIC.bin"));
    REQUIRE(p.result.ok());
    CHECK(p->lapic_address == 0xFEE00000);
    CHECK((p->flags & 1) == 1); // PCAT_COMPAT
    // CPUs 2 and 3 have flags 0 (revision 1 table: no Online Capable bit): not listed.
    REQUIRE(p->cpu_count == 2);
    CHECK(p->cpus[1].apic_id == 1);
    REQUIRE(p->ioapic_count == 1);
    CHECK(p->ioapics[0].address == 0xFEC00000);
    REQUIRE(p->iso_count == 5);
    CHECK(p->isos[0].source == 0);
    CHECK(p->isos[0].gsi == 2);
    CHECK(p->isos[0].flags == 0);
    CHECK(p->isos[1].source == 5);
    CHECK(p->isos[1].trigger() == 3);  // level
    CHECK(p->isos[1].polarity() == 1); // active high
    CHECK(p->isos[4].gsi == 11);
    REQUIRE(p->nmi_count == 1);
    CHECK(p->nmis[0].acpi_uid == MADT_ALL_PROCESSORS);
    CHECK(p->nmis[0].lint == 1);
}

TEST_CASE("MADT with a bad checksum or a bad header is rejected") {
    Bytes t = MadtBuilder().lapic(0, 0, 1).bytes();
    t[44 + 3] ^= 1;
    CHECK(Parsed(t).result.error().code == Errc::corrupt);
    Bytes wrong = MadtBuilder().bytes();
    wrong[0] = 'X';
    CHECK(Parsed(wrong).result.error().code == Errc::invalid_argument);
    Bytes good = MadtBuilder().lapic(0, 0, 1).bytes();
    Bytes cut(good.begin(), good.end() - 1); // Length says more than the buffer holds
    CHECK(Parsed(cut).result.error().code == Errc::corrupt);
    Bytes header_only = MadtBuilder().bytes();
    header_only.resize(40); // 40 < 44: no room for Flags
    header_only[4] = 40;
    header_only[9] = 0, header_only[9] = static_cast<uint8_t>(-checksum(header_only.data(), 40));
    CHECK(Parsed(header_only).result.error().code == Errc::corrupt);
}

TEST_CASE("MADT entry of length 0 is corrupt, not an endless loop") {
    Parsed p(MadtBuilder().lapic(0, 0, 1).put(0, 1).put(0, 1).put(0, 6).bytes());
    CHECK(p.result.error().code == Errc::corrupt);
    CHECK(p->error_offset == 52);
    Parsed one(MadtBuilder().put(0x42, 1).put(1, 1).bytes());
    CHECK(one.result.error().code == Errc::corrupt);
    CHECK(one->error_offset == 44);
}

TEST_CASE("MADT truncated entries are corrupt") {
    // An entry whose Length runs past the end of the table.
    Parsed past(MadtBuilder().lapic(0, 0, 1).put(1, 1).put(12, 1).put(0, 6).bytes());
    CHECK(past.result.error().code == Errc::corrupt);
    CHECK(past->error_offset == 52);
    // A lone byte after the last entry: no room for Type and Length.
    CHECK(Parsed(MadtBuilder().lapic(0, 0, 1).put(0, 1).bytes()).result.error().code ==
          Errc::corrupt);
    // An IOAPIC entry (12 bytes) that says it is 8: shorter than its layout.
    Parsed small(MadtBuilder().put(1, 1).put(8, 1).put(0, 6).bytes());
    CHECK(small.result.error().code == Errc::corrupt);
    CHECK(small->error_offset == 44);
}

TEST_CASE("MADT x2APIC entries, x2APIC NMI and duplicate APIC ids") {
    Parsed p(MadtBuilder()
                 .lapic(0, 0, 1)
                 .x2apic(0, 0, 1) // the same CPU again, as an x2APIC entry: ignored
                 .x2apic(300, 7, 1)
                 .put(10, 1)
                 .put(12, 1)
                 .put(0x5, 2)
                 .put(7, 4)
                 .put(0, 1)
                 .put(0, 3) // NMI uid 7 LINT0
                 .put(10, 1)
                 .put(12, 1)
                 .put(0, 2)
                 .put(0xFFFFFFFF, 4)
                 .put(1, 1)
                 .put(0, 3)
                 .bytes());
    REQUIRE(p.result.ok());
    REQUIRE(p->cpu_count == 2);
    CHECK_FALSE(p->cpus[0].x2apic);
    CHECK(p->cpus[1].apic_id == 300);
    CHECK(p->cpus[1].acpi_uid == 7);
    CHECK(p->cpus[1].x2apic);
    REQUIRE(p->nmi_count == 2);
    CHECK(p->nmis[0].acpi_uid == 7);
    CHECK(p->nmis[0].flags == 5);
    CHECK(p->nmis[0].lint == 0);
    CHECK(p->nmis[1].acpi_uid == MADT_ALL_PROCESSORS);
    CHECK(p->nmis[1].lint == 1);
}

TEST_CASE("MADT disabled CPUs: listed only when online capable (revision >= 5)") {
    Parsed p(MadtBuilder(5).lapic(0, 0, 1).lapic(1, 1, 0).lapic(2, 2, 2).x2apic(3, 3, 2).bytes());
    REQUIRE(p.result.ok());
    REQUIRE(p->cpu_count == 3);
    CHECK(p->cpus[0].enabled);
    CHECK(p->cpus[1].apic_id == 2);
    CHECK_FALSE(p->cpus[1].enabled);
    CHECK(p->cpus[2].apic_id == 3);
    CHECK_FALSE(p->cpus[2].enabled);
    // Revision 4 predates ACPI 6.3: bit 1 is reserved and means nothing.
    Parsed old(MadtBuilder(4).lapic(0, 0, 1).lapic(2, 2, 2).bytes());
    REQUIRE(old.result.ok());
    CHECK(old->cpu_count == 1);
}

TEST_CASE("MADT unknown entry types are skipped and the LAPIC address override wins") {
    Parsed p(MadtBuilder(5, 0xFEE00000)
                 .put(0x7F, 1)
                 .put(5, 1)
                 .put(0xAB, 3) // reserved type
                 .put(0xB, 1)
                 .put(20, 1)
                 .put(0, 18) // type 11 (ARM GICC): not ours
                 .lapic(0, 0, 1)
                 .put(5, 1)
                 .put(12, 1)
                 .put(0, 2)
                 .put(0x1'0000'F000ull, 8) // 64-bit override
                 .ioapic(4, 0xFEC01000, 24)
                 .put(0x7E, 1) // an unknown entry of just its header, the last bytes of the table
                 .put(2, 1)
                 .bytes());
    REQUIRE(p.result.ok());
    CHECK(p->cpu_count == 1);
    CHECK(p->lapic_address == 0x1'0000'F000ull);
    REQUIRE(p->ioapic_count == 1);
    CHECK(p->ioapics[0].id == 4);
    CHECK(p->ioapics[0].gsi_base == 24);
    CHECK_FALSE(p->truncated);
}

TEST_CASE("MADT with more CPUs and IOAPICs than the limits is truncated") {
    MadtBuilder m;
    for (uint32_t i = 0; i < MAX_CPUS + 6; i++)
        m.x2apic(i, i, 1);
    for (uint8_t i = 0; i < MAX_IOAPICS + 1; i++)
        m.ioapic(i, 0xFEC00000 + i * 0x1000u, i * 24u);
    Parsed p(m.bytes());
    REQUIRE(p.result.ok());
    CHECK(p->cpu_count == MAX_CPUS);
    CHECK(p->cpus[MAX_CPUS - 1].apic_id == MAX_CPUS - 1);
    CHECK(p->ioapic_count == MAX_IOAPICS);
    CHECK(p->truncated);
    // Each list on its own: too many CPUs alone, too many IOAPICs alone.
    MadtBuilder cpus;
    for (uint32_t i = 0; i < MAX_CPUS + 1; i++)
        cpus.lapic(uint8_t(i), uint8_t(i), 1);
    Parsed pc(cpus.bytes());
    REQUIRE(pc.result.ok());
    CHECK(pc->cpu_count == MAX_CPUS);
    CHECK(pc->truncated);
    MadtBuilder ioapics;
    for (uint8_t i = 0; i < MAX_IOAPICS + 1; i++)
        ioapics.ioapic(i, 0xFEC00000 + i * 0x1000u, i * 24u);
    Parsed pi(ioapics.bytes());
    REQUIRE(pi.result.ok());
    CHECK(pi->ioapic_count == MAX_IOAPICS);
    CHECK(pi->truncated);
}

TEST_CASE("parse_madt resets its output") {
    MadtInfo info{};
    Bytes two = MadtBuilder().lapic(0, 0, 1).lapic(1, 1, 1).bytes();
    REQUIRE(parse_madt(two.data(), two.size(), info).ok());
    Bytes one = MadtBuilder().lapic(5, 5, 1).bytes();
    REQUIRE(parse_madt(one.data(), one.size(), info).ok());
    CHECK(info.cpu_count == 1);
    CHECK(info.cpus[0].apic_id == 5);
}

TEST_CASE("MADT mutated at random never reads out of bounds") {
    // Flip bytes of the QEMU table and fix the checksum: each result must be ok or corrupt, and
    // AddressSanitizer fails the test on any read past the buffer.
    const Bytes base = load("qemu-q35-APIC.bin");
    uint32_t seed = 12345, ok = 0, corrupt = 0;
    auto next = [&seed] { return seed = seed * 1103515245u + 12345u, seed >> 8; };
    for (int round = 0; round < 3000; round++) {
        Bytes t = base;
        for (uint32_t n = 1 + next() % 3; n > 0; n--)
            t[44 + next() % (t.size() - 44)] = static_cast<uint8_t>(next());
        if (round % 4 == 0) { // also shrink the table: entries get cut at the end
            t.resize(44 + next() % (t.size() - 44));
            for (int i = 0; i < 4; i++)
                t[4 + i] = static_cast<uint8_t>(t.size() >> (8 * i));
        }
        t[9] = 0, t[9] = static_cast<uint8_t>(-checksum(t.data(), t.size()));
        Parsed p(t);
        if (p.result.ok())
            ok++;
        else if (p.result.error().code == Errc::corrupt)
            corrupt++;
        else
            FAIL("unexpected error: " << p.result.error().what);
        CHECK(p->cpu_count <= MAX_CPUS);
    }
    CHECK(ok > 100);
    CHECK(corrupt > 100);
}
