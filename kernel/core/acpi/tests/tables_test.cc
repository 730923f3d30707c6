// Host tests for RSDP discovery, the RSDT/XSDT walk and the FADT PM timer fields: the captured
// QEMU and Firecracker tables (tests/data/README.md) plus hand-built corrupt ones.
#include "core/acpi/tables.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
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

void put(Bytes& b, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Fix up the checksum byte at `at` so that the first `len` bytes sum to 0.
void fix_checksum(Bytes& b, size_t at, size_t len) {
    b[at] = 0;
    b[at] = static_cast<uint8_t>(-checksum(b.data(), len));
}

// A table with a valid header: signature, revision, `body` after the header.
Bytes make_table(const char* sig, const Bytes& body, uint8_t revision = 1) {
    Bytes b(sig, sig + 4);
    put(b, TABLE_HEADER_SIZE + body.size(), 4);
    b.push_back(revision);
    b.push_back(0);
    for (char c : std::string("KITOEMKITTABLE"))
        b.push_back(static_cast<uint8_t>(c));
    put(b, 1, 4), put(b, 0, 4), put(b, 0, 4);
    b.insert(b.end(), body.begin(), body.end());
    fix_checksum(b, 9, b.size());
    return b;
}

Bytes make_rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    Bytes b{'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0, 'K', 'I', 'T', 'O', 'E', 'M', revision};
    put(b, rsdt, 4);
    fix_checksum(b, 8, 20);
    if (revision >= 2) {
        put(b, 36, 4), put(b, xsdt, 8), put(b, 0, 4);
        fix_checksum(b, 32, 36);
    }
    return b;
}

Bytes root_table(const char* sig, const std::vector<uint64_t>& entries) {
    Bytes body;
    for (uint64_t e : entries)
        put(body, e, sig[0] == 'X' ? 8 : 4);
    return make_table(sig, body);
}

// Fake physical memory: byte buffers placed at physical addresses.
struct FakeMem {
    struct Region {
        uint64_t base;
        Bytes bytes;
    };
    std::vector<Region> regions;

    void place(uint64_t phys, const Bytes& b) { regions.push_back({phys, b}); }
    PhysWindow window() { return PhysWindow{&FakeMem::map, this}; }
    static const uint8_t* map(void* ctx, uint64_t phys, size_t len) {
        for (Region& r : static_cast<FakeMem*>(ctx)->regions)
            if (phys >= r.base && phys - r.base <= r.bytes.size() &&
                len <= r.bytes.size() - (phys - r.base))
                return r.bytes.data() + (phys - r.base);
        return nullptr;
    }
};

// The QEMU q35 capture, each table back at its physical address (data/README.md).
FakeMem qemu_memory() {
    FakeMem m;
    Bytes bios(0x20000, 0);
    Bytes rsdp = load("qemu-q35-RSDP.bin");
    std::memcpy(&bios[0xF3660 - 0xE0000], rsdp.data(), rsdp.size());
    // A decoy with the right signature but a bad checksum, earlier in the scan: skipped.
    std::memcpy(&bios[0x100], "RSD PTR \x01", 9);
    m.place(0xE0000, bios);
    m.place(0, Bytes(0x1000, 0)); // BDA with EBDA segment 0: no EBDA
    const std::pair<const char*, uint64_t> tables[] = {{"RSDT", 0xD23C4}, {"FACP", 0xD21A4},
                                                       {"APIC", 0xD2298}, {"HPET", 0xD2328},
                                                       {"MCFG", 0xD2360}, {"WAET", 0xD239C}};
    for (auto& [sig, phys] : tables)
        m.place(phys, load(std::string("qemu-q35-") + sig + ".bin"));
    return m;
}

} // namespace

TEST_CASE("check_table validates signature, length and checksum") {
    Bytes t = make_table("TEST", Bytes(8, 0x5A));
    CHECK(check_table(t.data(), t.size(), "TEST").ok());
    CHECK(check_table(t.data(), t.size(), nullptr).value().length == 44);
    CHECK(check_table(t.data(), t.size(), "APIC").error().code == Errc::invalid_argument);
    CHECK(check_table(t.data(), t.size() - 1, "TEST").error().code == Errc::corrupt);
    CHECK(check_table(t.data(), 35, "TEST").error().code == Errc::corrupt);
    Bytes bad = t;
    bad[40] ^= 1;
    CHECK(check_table(bad.data(), bad.size(), "TEST").error().code == Errc::corrupt);
    Bytes tiny = t;
    tiny[4] = 20, tiny[9] = 0, tiny[9] = static_cast<uint8_t>(-checksum(tiny.data(), 36));
    CHECK(check_table(tiny.data(), tiny.size(), "TEST").error().code == Errc::corrupt);
}

TEST_CASE("parse_rsdp accepts ACPI 1.0 and 2.0 copies (multiboot2 tags 14/15)") {
    Bytes v1 = load("qemu-q35-RSDP.bin");
    auto r1 = parse_rsdp(v1.data(), v1.size());
    REQUIRE(r1.ok());
    CHECK(r1.value().revision == 0);
    CHECK(r1.value().rsdt_address == 0xD23C4);
    CHECK(r1.value().xsdt_address == 0);
    CHECK(std::string(r1.value().oem_id) == "BOCHS ");

    Bytes v2 = make_rsdp(2, 0x1000, 0x123456789);
    auto r2 = parse_rsdp(v2.data(), v2.size());
    REQUIRE(r2.ok());
    CHECK(r2.value().xsdt_address == 0x123456789);

    CHECK(parse_rsdp(v2.data(), 20).error().code == Errc::corrupt); // v2 needs 36 bytes
    v2[30] ^= 0x40;                                                 // extended checksum breaks
    CHECK(parse_rsdp(v2.data(), v2.size()).error().code == Errc::corrupt);
    v1[19] ^= 1;
    CHECK(parse_rsdp(v1.data(), v1.size()).error().code == Errc::corrupt);
    v1[0] = 'X';
    CHECK(parse_rsdp(v1.data(), v1.size()).error().code == Errc::invalid_argument);
}

TEST_CASE("find_rsdp_legacy finds QEMU's RSDP and skips a bad candidate") {
    FakeMem m = qemu_memory();
    auto r = find_rsdp_legacy(m.window());
    REQUIRE(r.ok());
    CHECK(r.value().rsdt_address == 0xD23C4);
    CHECK(find_rsdp(m.window(), 0xE0000, 0xF3660).error().code == Errc::not_found);
    CHECK(find_rsdp(m.window(), 0x200000, 0x300000).error().code == Errc::not_found); // unmapped
    CHECK(find_rsdp(m.window(), 0, 10).error().code == Errc::not_found);
}

TEST_CASE("find_rsdp_legacy searches the EBDA first") {
    FakeMem m;
    Bytes low(0xA0000, 0);
    low[0x40E] = 0xC0, low[0x40F] = 0x9F; // EBDA at 0x9FC00
    Bytes rsdp = make_rsdp(2, 0x1000, 0x2000);
    std::memcpy(&low[0x9FC00 + 0x30], rsdp.data(), rsdp.size());
    m.place(0, low);
    auto r = find_rsdp_legacy(m.window());
    REQUIRE(r.ok());
    CHECK(r.value().xsdt_address == 0x2000);
}

TEST_CASE("find_table walks QEMU's RSDT and reads its FADT") {
    FakeMem m = qemu_memory();
    Rsdp rsdp = find_rsdp_legacy(m.window()).value();
    for (const char* sig : {"FACP", "APIC", "HPET", "MCFG", "WAET"}) {
        INFO(sig);
        auto t = find_table(m.window(), rsdp, sig);
        REQUIRE(t.ok());
        CHECK(std::memcmp(t.value().data, sig, 4) == 0);
    }
    CHECK(find_table(m.window(), rsdp, "APIC").value().phys == 0xD2298);
    CHECK(find_table(m.window(), rsdp, "SSDT").error().code == Errc::not_found);
    CHECK(find_table(m.window(), rsdp, "APIC", 1).error().code == Errc::not_found);

    Table facp = find_table(m.window(), rsdp, "FACP").value();
    auto f = parse_fadt(facp.data, facp.length);
    REQUIRE(f.ok());
    CHECK(f.value().revision == 3);
    CHECK(f.value().pm_timer_port == 0x608);
    CHECK_FALSE(f.value().pm_timer_32bit);
    CHECK_FALSE(f.value().hw_reduced);
}

TEST_CASE("find_table prefers the XSDT and falls back to the RSDT") {
    FakeMem m;
    m.place(0x10000, make_table("APIC", Bytes{1}));
    m.place(0x20000, make_table("APIC", Bytes{2}));
    m.place(0x30000, make_table("SSDT", Bytes{3}));
    m.place(0x1000, root_table("RSDT", {0x10000}));
    m.place(0x2000,
            root_table("XSDT", {0x999000 /* unmapped: skipped */, 0x30000, 0x20000, 0x30000}));
    Rsdp v2 = parse_rsdp(make_rsdp(2, 0x1000, 0x2000).data(), 36).value();
    CHECK(find_table(m.window(), v2, "APIC").value().data[36] == 2);
    CHECK(find_table(m.window(), v2, "SSDT", 1).value().phys == 0x30000);
    Rsdp no_xsdt = parse_rsdp(make_rsdp(2, 0x1000, 0).data(), 36).value();
    CHECK(find_table(m.window(), no_xsdt, "APIC").value().data[36] == 1);
    Rsdp v1 = parse_rsdp(make_rsdp(0, 0x1000, 0).data(), 20).value();
    CHECK(find_table(m.window(), v1, "APIC").value().phys == 0x10000);
}

TEST_CASE("find_table rejects corrupt root tables and corrupt targets") {
    Rsdp v1 = parse_rsdp(make_rsdp(0, 0x1000, 0).data(), 20).value();
    FakeMem m;
    Bytes apic = make_table("APIC", Bytes{1, 2, 3});
    apic[37] ^= 0xFF;
    m.place(0x10000, apic);
    m.place(0x1000, root_table("RSDT", {0x10000}));
    CHECK(find_table(m.window(), v1, "APIC").error().code == Errc::corrupt); // target checksum

    Bytes root = root_table("RSDT", {0x10000});
    root[36] ^= 1;
    m.regions[1].bytes = root;
    CHECK(find_table(m.window(), v1, "APIC").error().code == Errc::corrupt); // root checksum

    m.regions[1].bytes = make_table("RSDT", Bytes{0, 0, 1, 0, 0, 0}); // 1.5 entries
    CHECK(find_table(m.window(), v1, "APIC").error().code == Errc::corrupt);
    m.regions[1].bytes = make_table("XSDT", Bytes{}); // wrong signature
    CHECK(find_table(m.window(), v1, "APIC").error().code == Errc::invalid_argument);
    m.regions[1].bytes.resize(8); // root table length runs past the mapped bytes
    CHECK_FALSE(find_table(m.window(), v1, "APIC").ok());
}

TEST_CASE("parse_fadt: Firecracker is HW-reduced and has no PM timer") {
    Bytes t = load("firecracker-FACP.bin");
    auto f = parse_fadt(t.data(), t.size());
    REQUIRE(f.ok());
    CHECK(f.value().revision == 6);
    CHECK(f.value().hw_reduced);
    CHECK(f.value().pm_timer_port == 0);
}

TEST_CASE("parse_fadt: ACPI 1.0 layout, TMR_VAL_EXT and X_PM_TMR_BLK") {
    Bytes body(116 - 36, 0);
    body[76 - 36] = 0x08, body[77 - 36] = 0xB0; // PM_TMR_BLK = 0xB008
    body[113 - 36] = 0x01;                      // Flags bit 8: TMR_VAL_EXT
    Bytes v1 = make_table("FACP", body);
    auto f = parse_fadt(v1.data(), v1.size());
    REQUIRE(f.ok());
    CHECK(f.value().pm_timer_port == 0xB008);
    CHECK(f.value().pm_timer_32bit);

    Bytes short_body(body.begin(), body.end() - 1);
    Bytes too_short = make_table("FACP", short_body);
    CHECK(parse_fadt(too_short.data(), too_short.size()).error().code == Errc::corrupt);

    Bytes ext = body;
    ext.resize(244 - 36, 0);
    size_t gas = 208 - 36;
    ext[gas] = 1, ext[gas + 4] = 0x08, ext[gas + 5] = 0x06; // System I/O 0x608 wins
    Bytes v3 = make_table("FACP", ext, 3);
    CHECK(parse_fadt(v3.data(), v3.size()).value().pm_timer_port == 0x608);
    ext[gas] = 0; // System Memory: not a port, PM_TMR_BLK is used
    v3 = make_table("FACP", ext, 3);
    CHECK(parse_fadt(v3.data(), v3.size()).value().pm_timer_port == 0xB008);
    ext[gas] = 1, ext[gas + 6] = 0x01; // I/O address 0x10608 does not fit a port
    v3 = make_table("FACP", ext, 3);
    CHECK(parse_fadt(v3.data(), v3.size()).error().code == Errc::corrupt);
}
