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

Result<void> parse_madt(const uint8_t* table, size_t length, MadtInfo& out) {
    // TODO(lab2): implement the contract above. Helpers you may want: check_table, read_u16,
    // read_u32, read_u64 (tables.h) and the MadtType, MAX_* and MADT_* constants (madt.h).
    (void)table;
    (void)length;
    (void)out;
    return Error{Errc::unsupported, "TODO(lab2): parse_madt"};
}

} // namespace kern::acpi
