// The MADT ("APIC" table, ACPI 6.x 5.2.12): which CPUs exist, where the IOAPICs are, how ISA
// IRQs map to GSIs and which LAPIC pins carry NMI. parse_madt is lab 2's student function
// (kernel/core/acpi/madt.cc); this header is infrastructure and stays the same for everyone.
#pragma once

#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern::acpi {

/// Most CPUs the kernel tracks; further CPU entries set MadtInfo::truncated.
inline constexpr uint32_t MAX_CPUS = 64;
/// Most IOAPICs the kernel tracks.
inline constexpr uint32_t MAX_IOAPICS = 8;
/// Most Interrupt Source Overrides the kernel tracks.
inline constexpr uint32_t MAX_ISOS = 32;
/// Most LAPIC NMI entries the kernel tracks.
inline constexpr uint32_t MAX_NMIS = 16;

/// MADT entry types the kernel uses (ACPI 5.2.12, Table 5.45).
enum class MadtType : uint8_t {
    LOCAL_APIC = 0,                  ///< Processor Local APIC, 5.2.12.2
    IO_APIC = 1,                     ///< I/O APIC, 5.2.12.3
    INTERRUPT_SOURCE_OVERRIDE = 2,   ///< 5.2.12.5
    LOCAL_APIC_NMI = 4,              ///< 5.2.12.7
    LOCAL_APIC_ADDRESS_OVERRIDE = 5, ///< 64-bit LAPIC address, 5.2.12.8
    LOCAL_X2APIC = 9,                ///< Processor Local x2APIC, 5.2.12.12
    LOCAL_X2APIC_NMI = 10,           ///< 5.2.12.13
};

/// Local APIC flags (Table 5.47): the CPU is usable now.
inline constexpr uint32_t MADT_CPU_ENABLED = 1u << 0;
/// Local APIC flags (Table 5.47, ACPI 6.3, MADT revision >= 5): the CPU can be enabled later.
inline constexpr uint32_t MADT_CPU_ONLINE_CAPABLE = 1u << 1;
/// "All processors" in MadtNmi::acpi_uid (0xFF in type 4, 0xFFFFFFFF in type 10).
inline constexpr uint32_t MADT_ALL_PROCESSORS = 0xFFFFFFFF;

/// One CPU from a Local APIC (type 0) or Local x2APIC (type 9) entry.
struct MadtCpu {
    uint32_t apic_id;  ///< (x2)APIC id: the IPI destination
    uint32_t acpi_uid; ///< ACPI Processor UID, matched by NMI entries
    bool enabled;      ///< usable now; false: disabled but online capable (hot-add)
    bool x2apic;       ///< came from a type 9 entry
};

/// One IOAPIC (type 1).
struct MadtIoApic {
    uint8_t id;        ///< IOAPIC id
    uint32_t address;  ///< MMIO base (IOREGSEL at +0, IOWIN at +0x10)
    uint32_t gsi_base; ///< first Global System Interrupt its pins serve
};

/// One Interrupt Source Override (type 2): ISA IRQ `source` arrives on GSI `gsi`.
struct MadtIso {
    uint8_t bus;    ///< 0 = ISA
    uint8_t source; ///< bus-relative IRQ
    uint32_t gsi;   ///< Global System Interrupt it is wired to
    uint16_t flags; ///< MPS INTI flags (Table 5.50)

    /// @return polarity, flags bits 1:0: 0 = bus default, 1 = active high, 3 = active low
    constexpr uint8_t polarity() const { return flags & 3; }
    /// @return trigger mode, flags bits 3:2: 0 = bus default, 1 = edge, 3 = level
    constexpr uint8_t trigger() const { return (flags >> 2) & 3; }
};

/// One LAPIC NMI entry (type 4 or 10): which LINT pin of which CPU(s) carries NMI.
struct MadtNmi {
    uint32_t acpi_uid; ///< ACPI Processor UID, or MADT_ALL_PROCESSORS
    uint16_t flags;    ///< MPS INTI flags, as in MadtIso
    uint8_t lint;      ///< LINT0 or LINT1 (0 or 1)
};

/// Everything parse_madt extracts. Lists keep table order.
struct MadtInfo {
    uint64_t lapic_address;          ///< LAPIC MMIO base: header field, or the type 5 override
    uint32_t flags;                  ///< MADT flags; bit 0 PCAT_COMPAT: dual 8259 PICs present
    MadtCpu cpus[MAX_CPUS];          ///< CPUs that are enabled or online capable
    uint32_t cpu_count;              ///< entries used in cpus
    MadtIoApic ioapics[MAX_IOAPICS]; ///< IOAPICs
    uint32_t ioapic_count;           ///< entries used in ioapics
    MadtIso isos[MAX_ISOS];          ///< Interrupt Source Overrides
    uint32_t iso_count;              ///< entries used in isos
    MadtNmi nmis[MAX_NMIS];          ///< LAPIC NMI entries, type 4 and 10 together
    uint32_t nmi_count;              ///< entries used in nmis
    bool truncated;                  ///< some list was full and entries were dropped
    uint32_t error_offset; ///< on failure: offset in the table of the faulty entry, else 0
};

/// Parse the MADT in `table` (`length` bytes readable) into `out`. See madt.cc for the full
/// contract; errors are Errc::corrupt (checksum, lengths) or Errc::invalid_argument.
Result<void> parse_madt(const uint8_t* table, size_t length, MadtInfo& out);

} // namespace kern::acpi
