// Lab 2, step 1: ACPI table discovery and FADT parsing. See tables.h for the contracts;
// section numbers are from the ACPI Specification 6.x.
#include "core/acpi/tables.h"

namespace kern::acpi {

namespace {

bool same_sig(const void* a, const char* b) {
    return __builtin_memcmp(a, b, 4) == 0;
}

// RSDP layout, ACPI 5.2.5.3 Table 5.3.
constexpr size_t RSDP_OEMID = 9;     // 6 bytes
constexpr size_t RSDP_REVISION = 15; // 1 byte
constexpr size_t RSDP_RSDT = 16;     // 4 bytes
constexpr size_t RSDP_LENGTH = 20;   // 4 bytes, revision >= 2 only
constexpr size_t RSDP_XSDT = 24;     // 8 bytes, revision >= 2 only

// FADT offsets, ACPI 5.2.9 Table 5.9.
constexpr size_t FADT_PM_TMR_BLK = 76;    // 4 bytes, I/O port
constexpr size_t FADT_FLAGS = 112;        // 4 bytes
constexpr size_t FADT_V1_SIZE = 116;      // ACPI 1.0 FADT ends after Flags
constexpr size_t FADT_X_PM_TMR_BLK = 208; // 12-byte Generic Address Structure (5.2.3.2)
constexpr size_t GAS_SIZE = 12;
constexpr uint32_t FADT_TMR_VAL_EXT = 1u << 8;
constexpr uint32_t FADT_HW_REDUCED_ACPI = 1u << 20;
constexpr uint8_t GAS_SYSTEM_IO = 1; // Address Space ID, Table 5.1

} // namespace

uint8_t checksum(const uint8_t* bytes, size_t len) {
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = static_cast<uint8_t>(sum + bytes[i]);
    return sum;
}

Result<TableHeader> check_table(const uint8_t* table, size_t avail, const char* sig) {
    if (table == nullptr || avail < TABLE_HEADER_SIZE)
        return Error{Errc::corrupt, "ACPI table: shorter than its 36-byte header"};
    TableHeader h;
    __builtin_memcpy(&h, table, sizeof h);
    if (sig != nullptr && !same_sig(h.signature, sig))
        return Error{Errc::invalid_argument, "ACPI table: unexpected signature"};
    if (h.length < TABLE_HEADER_SIZE)
        return Error{Errc::corrupt, "ACPI table: length field below the header size"};
    if (h.length > avail)
        return Error{Errc::corrupt, "ACPI table: length field exceeds the bytes available"};
    if (checksum(table, h.length) != 0) return Error{Errc::corrupt, "ACPI table: bad checksum"};
    return h;
}

Result<Rsdp> parse_rsdp(const uint8_t* bytes, size_t len) {
    if (bytes == nullptr || len < RSDP_V1_SIZE)
        return Error{Errc::corrupt, "RSDP: shorter than 20 bytes"};
    if (__builtin_memcmp(bytes, "RSD PTR ", 8) != 0)
        return Error{Errc::invalid_argument, "RSDP: no \"RSD PTR \" signature"};
    if (checksum(bytes, RSDP_V1_SIZE) != 0) return Error{Errc::corrupt, "RSDP: bad checksum"};
    Rsdp r{};
    r.revision = bytes[RSDP_REVISION];
    r.rsdt_address = read_u32(bytes + RSDP_RSDT);
    __builtin_memcpy(r.oem_id, bytes + RSDP_OEMID, 6);
    r.oem_id[6] = '\0';
    if (r.revision >= 2) {
        // ACPI 2.0+: Length and the extended checksum cover the XSDT address.
        if (len < RSDP_V2_SIZE)
            return Error{Errc::corrupt, "RSDP: revision >= 2 but shorter than 36 bytes"};
        uint32_t length = read_u32(bytes + RSDP_LENGTH);
        if (length < RSDP_V2_SIZE || length > len)
            return Error{Errc::corrupt, "RSDP: bad Length field"};
        if (checksum(bytes, length) != 0)
            return Error{Errc::corrupt, "RSDP: bad extended checksum"};
        r.xsdt_address = read_u64(bytes + RSDP_XSDT);
    }
    return r;
}

Result<Rsdp> find_rsdp(const PhysWindow& mem, uint64_t start, uint64_t end) {
    if (end < RSDP_V1_SIZE || start > end - RSDP_V1_SIZE)
        return Error{Errc::not_found, "RSDP: search range too small"};
    // Candidates are mapped one at a time: the range need not be mapped as a whole.
    for (uint64_t a = (start + 15) & ~uint64_t{15}; a <= end - RSDP_V1_SIZE; a += 16) {
        const uint8_t* p = mem.get(a, RSDP_V1_SIZE);
        if (p == nullptr || __builtin_memcmp(p, "RSD PTR ", 8) != 0) continue;
        size_t len = RSDP_V1_SIZE;
        if (p[RSDP_REVISION] >= 2) {
            // Map the extended RSDP too, as long as its Length field says (36 in practice).
            const uint8_t* p2 = mem.get(a, RSDP_V2_SIZE);
            if (p2 == nullptr) continue;
            len = read_u32(p2 + RSDP_LENGTH);
            if (len < RSDP_V2_SIZE || len > 4096 || (p = mem.get(a, len)) == nullptr) continue;
        }
        Result<Rsdp> r = parse_rsdp(p, len);
        if (r.ok()) return r;
    }
    return Error{Errc::not_found, "RSDP: not found in the search range"};
}

Result<Rsdp> find_rsdp_legacy(const PhysWindow& mem) {
    // ACPI 5.2.5.1: the 16-bit EBDA segment is stored at 0x40E; search its first 1 KiB.
    const uint8_t* bda = mem.get(0x40E, 2);
    if (bda != nullptr) {
        uint64_t ebda = uint64_t{read_u16(bda)} << 4;
        if (ebda >= 0x400 && ebda < 0xA0000) {
            Result<Rsdp> r = find_rsdp(mem, ebda, ebda + 1024);
            if (r.ok()) return r;
        }
    }
    return find_rsdp(mem, 0xE0000, 0x100000);
}

Result<Table> find_table(const PhysWindow& mem, const Rsdp& rsdp, const char* sig,
                         size_t instance) {
    // ACPI 5.2.8: an OS uses the XSDT when there is one; the RSDT (5.2.7) has 32-bit entries.
    bool xsdt = rsdp.revision >= 2 && rsdp.xsdt_address != 0;
    uint64_t root_phys = xsdt ? rsdp.xsdt_address : rsdp.rsdt_address;
    size_t entry_size = xsdt ? 8 : 4;
    const char* root_sig = xsdt ? "XSDT" : "RSDT";

    const uint8_t* hdr = mem.get(root_phys, TABLE_HEADER_SIZE);
    if (hdr == nullptr) return Error{Errc::not_found, "ACPI: root table (RSDT/XSDT) not mapped"};
    uint32_t root_len = read_u32(hdr + 4);
    if (root_len < TABLE_HEADER_SIZE)
        return Error{Errc::corrupt, "ACPI: root table length below the header size"};
    const uint8_t* root = mem.get(root_phys, root_len);
    if (root == nullptr) return Error{Errc::not_found, "ACPI: root table not mapped"};
    TRY(check_table(root, root_len, root_sig));
    if ((root_len - TABLE_HEADER_SIZE) % entry_size != 0)
        return Error{Errc::corrupt, "ACPI: root table length is not a whole number of entries"};

    for (size_t off = TABLE_HEADER_SIZE; off < root_len; off += entry_size) {
        uint64_t phys = xsdt ? read_u64(root + off) : read_u32(root + off);
        const uint8_t* h = mem.get(phys, TABLE_HEADER_SIZE);
        if (h == nullptr || !same_sig(h, sig)) continue;
        if (instance-- != 0) continue;
        uint32_t len = read_u32(h + 4);
        if (len < TABLE_HEADER_SIZE)
            return Error{Errc::corrupt, "ACPI table: length field below the header size"};
        const uint8_t* t = mem.get(phys, len);
        if (t == nullptr)
            return Error{Errc::not_found, "ACPI table: header mapped but body not mapped"};
        TRY(check_table(t, len, sig));
        return Table{t, len, phys};
    }
    return Error{Errc::not_found, "ACPI: no such table in the root table"};
}

Result<FadtInfo> parse_fadt(const uint8_t* table, size_t length) {
    TableHeader h = TRY(check_table(table, length, "FACP"));
    if (h.length < FADT_V1_SIZE)
        return Error{Errc::corrupt, "FADT: shorter than the ACPI 1.0 FADT (116 bytes)"};
    FadtInfo info{};
    info.revision = h.revision;
    uint32_t flags = read_u32(table + FADT_FLAGS);
    info.pm_timer_32bit = (flags & FADT_TMR_VAL_EXT) != 0;
    info.hw_reduced = (flags & FADT_HW_REDUCED_ACPI) != 0;

    uint32_t port = read_u32(table + FADT_PM_TMR_BLK);
    // ACPI 5.2.9: X_PM_TMR_BLK, when non-zero, supersedes PM_TMR_BLK.
    if (h.length >= FADT_X_PM_TMR_BLK + GAS_SIZE) {
        const uint8_t* gas = table + FADT_X_PM_TMR_BLK;
        uint64_t addr = read_u64(gas + 4);
        if (gas[0] == GAS_SYSTEM_IO && addr != 0) {
            if (addr > 0xFFFF)
                return Error{Errc::corrupt, "FADT: X_PM_TMR_BLK I/O port above 0xFFFF"};
            port = static_cast<uint32_t>(addr);
        }
    }
    if (port > 0xFFFF) return Error{Errc::corrupt, "FADT: PM_TMR_BLK I/O port above 0xFFFF"};
    info.pm_timer_port = static_cast<uint16_t>(port);
    return info;
}

} // namespace kern::acpi
