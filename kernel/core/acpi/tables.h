// ACPI table discovery: find the RSDP, walk the RSDT/XSDT, find a table by signature, and read
// the PM timer from the FADT.
//
// Pure code: no I/O, no privileged instructions. Physical memory is reached only through a
// PhysWindow the caller provides (the kernel identity-maps low memory; host tests map into byte
// buffers). Every length and checksum is checked before a byte is used, so corrupt firmware
// tables produce an Errc::corrupt Result, never an out-of-bounds read or an endless loop.
// Section numbers refer to the ACPI Specification 6.x.
#pragma once

#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern::acpi {

/// How the parser reaches physical memory: the caller's mapping function and its context.
struct PhysWindow {
    /// Return a pointer to `len` readable bytes at physical address `phys`, or nullptr when any
    /// part of the range is not accessible.
    const uint8_t* (*map)(void* ctx, uint64_t phys, size_t len);
    void* ctx; ///< passed back to map unchanged

    /// Map `len` bytes at physical address `phys`.
    /// @param phys first physical address of the range
    /// @param len  bytes that must be readable
    /// @return the bytes, or nullptr if the window has no map function or refuses the range
    const uint8_t* get(uint64_t phys, size_t len) const {
        return map ? map(ctx, phys, len) : nullptr;
    }
};

// Multi-byte fields are read with memcpy: ACPI tables are packed, so fields are unaligned.
// (__builtin_memcpy: no libc header needed; fixed sizes compile to plain loads.)

/// Read a little-endian 16-bit field at any alignment.
inline uint16_t read_u16(const uint8_t* p) {
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
/// Read a little-endian 32-bit field at any alignment.
inline uint32_t read_u32(const uint8_t* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
/// Read a little-endian 64-bit field at any alignment.
inline uint64_t read_u64(const uint8_t* p) {
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// The 8-bit sum of `len` bytes; a valid ACPI structure sums to 0.
uint8_t checksum(const uint8_t* bytes, size_t len);

/// System Description Table Header, ACPI 5.2.6 (Table 5.4): the first 36 bytes of every table.
/// Filled with memcpy from the table bytes; never overlaid on firmware memory.
struct TableHeader {
    char signature[4];         ///< e.g. "APIC" for the MADT, "FACP" for the FADT
    uint32_t length;           ///< whole table in bytes, header included
    uint8_t revision;          ///< table revision (MADT 5 = ACPI 6.3)
    uint8_t checksum;          ///< makes the whole table sum to 0
    char oem_id[6];            ///< firmware vendor
    char oem_table_id[8];      ///< vendor's table name
    uint32_t oem_revision;     ///< vendor's table revision
    uint32_t creator_id;       ///< ASL compiler vendor
    uint32_t creator_revision; ///< ASL compiler revision
};
static_assert(sizeof(TableHeader) == 36, "ACPI 5.2.6: the header is 36 bytes");

/// Size of the System Description Table Header.
inline constexpr size_t TABLE_HEADER_SIZE = sizeof(TableHeader);

/// Validate a table held in `avail` bytes: header fits, signature is `sig` (4 chars, or nullptr
/// to accept any), TableHeader::length lies in [36, avail] and the first `length` bytes sum to
/// 0. Returns the header. Errc::invalid_argument for a wrong signature, Errc::corrupt otherwise.
Result<TableHeader> check_table(const uint8_t* table, size_t avail, const char* sig);

/// What the RSDP tells the OS: where the root table is (ACPI 5.2.5.3, Table 5.3).
struct Rsdp {
    uint8_t revision;      ///< 0 for ACPI 1.0 (RSDT only), 2 for ACPI 2.0+ (XSDT as well)
    uint32_t rsdt_address; ///< physical address of the RSDT
    uint64_t xsdt_address; ///< physical address of the XSDT, 0 if revision < 2
    char oem_id[7];        ///< firmware vendor, NUL-terminated
};

/// Size of the ACPI 1.0 RSDP, covered by the first checksum.
inline constexpr size_t RSDP_V1_SIZE = 20;
/// Size of the ACPI 2.0+ RSDP, covered by the extended checksum.
inline constexpr size_t RSDP_V2_SIZE = 36;

/// Validate an RSDP held in `len` bytes: "RSD PTR " signature, checksum over the first 20 bytes
/// and, for revision >= 2, the Length field and the extended checksum over Length bytes (ACPI
/// 5.2.5.3). Use it for the copy GRUB hands over in multiboot2 tags 14 (ACPI 1.0) and 15
/// (ACPI 2.0+): pass the tag's bytes after its 8-byte type/size header.
Result<Rsdp> parse_rsdp(const uint8_t* bytes, size_t len);

/// Search [start, end) for a valid RSDP at 16-byte aligned addresses (ACPI 5.2.5.1); candidates
/// with a bad checksum are skipped. Errc::not_found if there is none.
Result<Rsdp> find_rsdp(const PhysWindow& mem, uint64_t start, uint64_t end);

/// The IA-PC search of ACPI 5.2.5.1: the first 1 KiB of the EBDA (segment at 0x40E), then the
/// BIOS area 0xE0000-0xFFFFF.
Result<Rsdp> find_rsdp_legacy(const PhysWindow& mem);

/// A table found through the root table, mapped and validated.
struct Table {
    const uint8_t* data; ///< the whole table, `length` bytes
    uint32_t length;     ///< TableHeader::length
    uint64_t phys;       ///< its physical address
};

/// Find the `instance`-th table with signature `sig` (4 chars) listed in the XSDT (used when
/// revision >= 2 and its address is non-zero, ACPI 5.2.8) or else the RSDT (ACPI 5.2.7). The
/// root table is validated; entries whose header cannot be mapped are skipped; the table found
/// is validated by check_table. The DSDT is not listed there: it is reached through the FADT.
Result<Table> find_table(const PhysWindow& mem, const Rsdp& rsdp, const char* sig,
                         size_t instance = 0);

/// What the kernel needs from the FADT (ACPI 5.2.9, Table 5.9): the ACPI PM timer.
struct FadtInfo {
    uint8_t revision;       ///< FADT revision from its header
    uint16_t pm_timer_port; ///< I/O port of the 3.579545 MHz PM timer, 0 if there is none
    bool pm_timer_32bit;    ///< TMR_VAL_EXT (flags bit 8): the counter is 32 bits, else 24
    bool hw_reduced;        ///< HW_REDUCED_ACPI (flags bit 20): no fixed hardware, no PM timer
};

/// Parse a FADT of `length` bytes (validated with check_table, signature "FACP"). The timer port
/// is X_PM_TMR_BLK (offset 208) when the table is long enough and it names a non-zero System
/// I/O address, else PM_TMR_BLK (offset 76). Errc::corrupt if the table is shorter than the
/// ACPI 1.0 FADT (116 bytes) or X_PM_TMR_BLK names an I/O port above 0xFFFF.
Result<FadtInfo> parse_fadt(const uint8_t* table, size_t length);

} // namespace kern::acpi
