// Lab 2: parse the MADT (ACPI 6.x 5.2.12, "Multiple APIC Description Table").
//
// Contract of parse_madt(table, length, out):
//  - Reset `out` first, so that it never holds data from an earlier call.
//  - Validate the header with check_table(table, length, "APIC") (tables.h): signature, Length
//    in [36, length], checksum. Pass its error on. Use the header's Length, not `length`, as the
//    end of the table from then on; a table shorter than 44 bytes is Errc::corrupt.
//  - Offset 36: Local Interrupt Controller Address (u32) -> out.lapic_address.
//    Offset 40: Flags (u32) -> out.flags. Entries start at offset 44 (Table 5.43).
//  - Each entry starts with Type (u8) and Length (u8). Walk them in order. Errc::corrupt, with
//    out.error_offset set to the entry's offset, when fewer than 2 bytes remain for the entry
//    header, Length < 2 (a zero length would loop forever), the entry runs past the table end,
//    or a known type is shorter than its layout below (longer is fine: later ACPI versions may
//    append fields). Read multi-byte fields with read_u16/u32/u64: they are unaligned.
//  - Known types; skip all others:
//      0 Local APIC (8 bytes, 5.2.12.2): +2 ACPI Processor UID u8, +3 APIC ID u8, +4 Flags u32
//      9 Local x2APIC (16, 5.2.12.12): +4 x2APIC ID u32, +8 Flags u32, +12 ACPI Processor UID u32
//        Flags bit 0 Enabled; bit 1 Online Capable, meaningful only if the MADT revision (header)
//        is >= 5 (ACPI 6.3). List a CPU with enabled=true if Enabled, with enabled=false if only
//        Online Capable, and not at all otherwise. Ignore a CPU whose APIC id is already listed
//        (firmware may describe one CPU with both a type 0 and a type 9 entry).
//      1 I/O APIC (12, 5.2.12.3): +2 I/O APIC ID u8, +4 Address u32, +8 GSI Base u32
//      2 Interrupt Source Override (10, 5.2.12.5): +2 Bus u8, +3 Source u8, +4 GSI u32,
//        +8 Flags u16
//      4 Local APIC NMI (6, 5.2.12.7): +2 ACPI Processor UID u8 (0xFF: all), +3 Flags u16,
//        +5 LINT# u8. Store 0xFF as MADT_ALL_PROCESSORS.
//      5 Local APIC Address Override (12, 5.2.12.8): +4 Address u64; replaces the header's
//        address wherever the entry appears.
//     10 Local x2APIC NMI (12, 5.2.12.13): +2 Flags u16, +4 ACPI Processor UID u32, +8 LINT# u8
//  - A list that is full (MAX_CPUS, MAX_IOAPICS, MAX_ISOS, MAX_NMIS) drops further entries and
//    sets out.truncated; that alone is not an error.
//  - Never read outside table[0, length), and return ok (Result<void>{}) when all entries parsed.
#include "core/acpi/madt.h"

#include "core/acpi/tables.h"

namespace kern::acpi {

namespace {

constexpr size_t MADT_ENTRIES = 44; // first entry, after the 36-byte header + 2 u32 fields

// Minimum length of each known entry type; 0 for types this parser skips.
constexpr uint8_t min_length(uint8_t type) {
    switch (static_cast<MadtType>(type)) {
    case MadtType::LOCAL_APIC:
        return 8;
    case MadtType::IO_APIC:
        return 12;
    case MadtType::INTERRUPT_SOURCE_OVERRIDE:
        return 10;
    case MadtType::LOCAL_APIC_NMI:
        return 6;
    case MadtType::LOCAL_APIC_ADDRESS_OVERRIDE:
        return 12;
    case MadtType::LOCAL_X2APIC:
        return 16;
    case MadtType::LOCAL_X2APIC_NMI:
        return 12;
    }
    return 0;
}

void add_cpu(MadtInfo& out, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic,
             bool online_capable_valid) {
    bool enabled = (flags & MADT_CPU_ENABLED) != 0;
    bool capable = online_capable_valid && (flags & MADT_CPU_ONLINE_CAPABLE) != 0;
    if (!enabled && !capable) return;
    for (uint32_t i = 0; i < out.cpu_count; i++)
        if (out.cpus[i].apic_id == apic_id) return;
    if (out.cpu_count == MAX_CPUS) {
        out.truncated = true;
        return;
    }
    out.cpus[out.cpu_count++] = MadtCpu{apic_id, uid, enabled, x2apic};
}

void add_nmi(MadtInfo& out, uint32_t uid, uint16_t flags, uint8_t lint) {
    if (out.nmi_count == MAX_NMIS) {
        out.truncated = true;
        return;
    }
    out.nmis[out.nmi_count++] = MadtNmi{uid, flags, lint};
}

Error bad_entry(MadtInfo& out, size_t off, const char* what) {
    out.error_offset = static_cast<uint32_t>(off);
    return Error{Errc::corrupt, what};
}

} // namespace

Result<void> parse_madt(const uint8_t* table, size_t length, MadtInfo& out) {
    out = MadtInfo{};
    TableHeader h = TRY(check_table(table, length, "APIC"));
    if (h.length < MADT_ENTRIES) return Error{Errc::corrupt, "MADT: shorter than 44 bytes"};
    const size_t end = h.length;
    const bool online_capable_valid = h.revision >= 5; // ACPI 6.3
    out.lapic_address = read_u32(table + 36);
    out.flags = read_u32(table + 40);

    size_t off = MADT_ENTRIES;
    while (off < end) {
        if (end - off < 2) return bad_entry(out, off, "MADT: truncated entry header");
        const uint8_t* e = table + off;
        const uint8_t type = e[0], len = e[1];
        if (len < 2) return bad_entry(out, off, "MADT: entry length below 2");
        if (len > end - off)
            return bad_entry(out, off, "MADT: entry runs past the end of the table");
        if (len < min_length(type))
            return bad_entry(out, off, "MADT: entry shorter than its type's layout");

        switch (static_cast<MadtType>(type)) {
        case MadtType::LOCAL_APIC:
            add_cpu(out, e[3], e[2], read_u32(e + 4), false, online_capable_valid);
            break;
        case MadtType::LOCAL_X2APIC:
            add_cpu(out, read_u32(e + 4), read_u32(e + 12), read_u32(e + 8), true,
                    online_capable_valid);
            break;
        case MadtType::IO_APIC:
            if (out.ioapic_count == MAX_IOAPICS)
                out.truncated = true;
            else
                out.ioapics[out.ioapic_count++] =
                    MadtIoApic{e[2], read_u32(e + 4), read_u32(e + 8)};
            break;
        case MadtType::INTERRUPT_SOURCE_OVERRIDE:
            if (out.iso_count == MAX_ISOS)
                out.truncated = true;
            else
                out.isos[out.iso_count++] = MadtIso{e[2], e[3], read_u32(e + 4), read_u16(e + 8)};
            break;
        case MadtType::LOCAL_APIC_NMI:
            add_nmi(out, e[2] == 0xFF ? MADT_ALL_PROCESSORS : e[2], read_u16(e + 3), e[5]);
            break;
        case MadtType::LOCAL_APIC_ADDRESS_OVERRIDE:
            out.lapic_address = read_u64(e + 4);
            break;
        case MadtType::LOCAL_X2APIC_NMI:
            add_nmi(out, read_u32(e + 4), read_u16(e + 2), e[8]);
            break;
        default:
            break; // unknown or unused type: its Length lets us step over it
        }
        off += len;
    }
    return {};
}

} // namespace kern::acpi
