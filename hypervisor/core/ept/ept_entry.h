// EptEntry and EptPointer: the layouts of EPT paging-structure entries and of the EPTP
// (SDM Vol 3C 29.3.2, Tables 29-1 to 29-6; EPTP: SDM Vol 3C 25.6.11).
//
//   63  62:52  51:12 (M-1:12)   11  10  9  8  7   6     5:3       2  1  0
//   SVE ign.   physical address ign. XU  D  A  PS  IPAT  mem. type  X  W  R
//
//   PML4E (Table 29-1)        bits 7:3 reserved; address of an EPT PDPT
//   PDPTE (Tables 29-2, 29-3) PS=1: maps a 1 GiB page (address 51:30); else bits 6:3 reserved
//   PDE   (Tables 29-4, 29-5) PS=1: maps a 2 MiB page (address 51:21); else bits 6:3 reserved
//   PTE   (Table 29-6)        maps a 4 KiB page; bit 7 is ignored
//
// Unlike an ordinary PTE there is no P bit: an entry is present when any of R, W, X is set
// (SDM Vol 3C 29.3.2). The memory type (bits 5:3) and IPAT exist only in entries that map a
// page; A and D are written by the CPU only when the EPTP enables them (SDM Vol 3C 29.3.5).
// XU (execute for user-mode linear addresses) matters only with mode-based execute control,
// which this kit does not enable; SVE (suppress #VE) only with EPT-violation #VE.
// A raw uint64_t with named accessors, not a bitfield (see core/mem/pte.h for why).
#pragma once

#include <stdint.h>

namespace hv {

/// Read access (bit 0).
inline constexpr uint64_t EPT_READ = uint64_t{1} << 0;
/// Write access (bit 1); never without EPT_READ (a misconfiguration, SDM Vol 3C 29.3.3.1).
inline constexpr uint64_t EPT_WRITE = uint64_t{1} << 1;
/// Instruction fetch (bit 2; for supervisor-mode linear addresses with mode-based control).
inline constexpr uint64_t EPT_EXECUTE = uint64_t{1} << 2;
/// All three access bits, 2:0.
inline constexpr uint64_t EPT_PERMS = EPT_READ | EPT_WRITE | EPT_EXECUTE;

/// Entries in one EPT paging structure: a 4 KiB table of 8-byte entries.
inline constexpr unsigned EPT_ENTRIES = 512;

/// EPT memory types (SDM Vol 3C 29.3.7, Vol 3A 12.3): in a leaf's bits 5:3 and EPTP bits 2:0.
/// Only the two the kit uses are named; 2, 3 and 7 are reserved.
enum class EptMemoryType : uint8_t {
    uncacheable = 0, ///< UC: device memory (MMIO)
    write_back = 6,  ///< WB: ordinary RAM, and the EPT tables themselves
};

/// log2 of the bytes one entry at @p level maps: 12 (PTE), 21 (PDE), 30 (PDPTE), 39 (PML4E).
constexpr unsigned ept_level_shift(int level) {
    return 12 + 9 * (level - 1);
}
/// Index of the entry for guest-physical address @p gpa in the table at @p level (4 = PML4,
/// 1 = PT): bits 47:39, 38:30, 29:21 or 20:12 of @p gpa (SDM Vol 3C 29.3.2).
constexpr unsigned ept_index(uint64_t gpa, int level) {
    return (gpa >> ept_level_shift(level)) & 511;
}

/// One EPT paging-structure entry (EPT PML4E, PDPTE, PDE or PTE).
class EptEntry {
  public:
    static constexpr uint64_t MEMORY_TYPE_SHIFT = 3;                   ///< bits 5:3
    static constexpr uint64_t MEMORY_TYPE_MASK = uint64_t{7} << 3;     ///< leaf only
    static constexpr uint64_t IGNORE_PAT = uint64_t{1} << 6;           ///< IPAT, leaf only
    static constexpr uint64_t LARGE = uint64_t{1} << 7;                ///< PS in PDPTE/PDE
    static constexpr uint64_t ACCESSED = uint64_t{1} << 8;             ///< A
    static constexpr uint64_t DIRTY = uint64_t{1} << 9;                ///< D, leaf only
    static constexpr uint64_t USER_EXECUTE = uint64_t{1} << 10;        ///< XU (unused)
    static constexpr uint64_t ADDRESS_MASK = 0x000f'ffff'ffff'f000;    ///< bits 51:12
    static constexpr uint64_t ADDRESS_MASK_2M = 0x000f'ffff'ffe0'0000; ///< bits 51:21
    static constexpr uint64_t ADDRESS_MASK_1G = 0x000f'ffff'c000'0000; ///< bits 51:30

    /// A non-present, all-zero entry.
    constexpr EptEntry() = default;
    /// An entry with raw value @p raw.
    explicit constexpr EptEntry(uint64_t raw) : m_raw(raw) {}

    /// A non-leaf entry pointing at the table at @p phys (4 KiB-aligned). It allows R, W and X
    /// so that the leaf alone decides the access rights (they are ANDed over the walk).
    static constexpr EptEntry table(uint64_t phys) {
        return EptEntry((phys & ADDRESS_MASK) | EPT_PERMS);
    }
    /// A leaf mapping the page at @p phys with access bits @p perms and memory type @p type;
    /// @p large makes it a 2 MiB (PDE) or 1 GiB (PDPTE) page.
    static constexpr EptEntry leaf(uint64_t phys, uint64_t perms, EptMemoryType type, bool large) {
        return EptEntry((phys & ADDRESS_MASK) | (perms & EPT_PERMS) |
                        (uint64_t{static_cast<uint8_t>(type)} << MEMORY_TYPE_SHIFT) |
                        (large ? LARGE : 0));
    }

    /// The raw 64-bit value, as the CPU reads it.
    constexpr uint64_t raw() const { return m_raw; }
    /// Present: any of bits 2:0 set (SDM Vol 3C 29.3.2).
    constexpr bool present() const { return (m_raw & EPT_PERMS) != 0; }
    /// Bits 2:0: EPT_READ | EPT_WRITE | EPT_EXECUTE as set.
    constexpr uint64_t perms() const { return m_raw & EPT_PERMS; }
    /// Bit 0.
    constexpr bool read() const { return (m_raw & EPT_READ) != 0; }
    /// Bit 1.
    constexpr bool write() const { return (m_raw & EPT_WRITE) != 0; }
    /// Bit 2.
    constexpr bool execute() const { return (m_raw & EPT_EXECUTE) != 0; }
    /// Bits 5:3, meaningful in a leaf; may hold a reserved value (2, 3, 7).
    constexpr EptMemoryType memory_type() const {
        return static_cast<EptMemoryType>((m_raw & MEMORY_TYPE_MASK) >> MEMORY_TYPE_SHIFT);
    }
    /// Bit 6: ignore the guest PAT memory type (leaf only).
    constexpr bool ignore_pat() const { return (m_raw & IGNORE_PAT) != 0; }
    /// Bit 7: this PDPTE or PDE maps a page instead of pointing at a table.
    constexpr bool large() const { return (m_raw & LARGE) != 0; }
    /// Bit 8.
    constexpr bool accessed() const { return (m_raw & ACCESSED) != 0; }
    /// Bit 9.
    constexpr bool dirty() const { return (m_raw & DIRTY) != 0; }
    /// Bits 51:12: the next table, or the page (use the 2M/1G masks for large pages).
    constexpr uint64_t address() const { return m_raw & ADDRESS_MASK; }

    /// Replace bits 2:0 with @p perms, keeping everything else.
    constexpr void set_perms(uint64_t perms) { m_raw = (m_raw & ~EPT_PERMS) | (perms & EPT_PERMS); }

  private:
    uint64_t m_raw = 0;
};
static_assert(sizeof(EptEntry) == 8, "an EPT entry is 64 bits (SDM Vol 3C 29.3.2)");

/// Whether the present entry @p e, found at @p level (4 = PML4E ... 1 = PTE), causes an EPT
/// misconfiguration (SDM Vol 3C 29.3.3.1): bits 2:0 = 010b or 110b (write without read);
/// 100b (execute-only) unless @p execute_only_ok (IA32_VMX_EPT_VPID_CAP bit 0); a reserved
/// bit set (51:@p maxphyaddr; 7:3 in a PML4E; 6:3 in a non-leaf PDPTE/PDE; 29:12 in a 1 GiB
/// and 20:12 in a 2 MiB leaf); or a leaf with a reserved memory type (2, 3, 7). Not checked:
/// the 1 GiB-page capability (IA32_VMX_EPT_VPID_CAP bit 17). A non-present entry is never a
/// misconfiguration (it causes an EPT violation); a @p level outside 1..4, or a @p maxphyaddr
/// outside 12..52, always is.
/// @param e the entry
/// @param level its level, 4 (PML4E) to 1 (PTE)
/// @param maxphyaddr the CPU's physical-address width, CPUID.80000008H:EAX[7:0]
/// @param execute_only_ok whether the CPU supports execute-only translations
constexpr bool ept_entry_misconfigured(EptEntry e, int level, unsigned maxphyaddr = 52,
                                       bool execute_only_ok = true) {
    if (level < 1 || level > 4 || maxphyaddr < 12 || maxphyaddr > 52) return true;
    if (!e.present()) return false;
    const uint64_t perms = e.perms();
    if ((perms & (EPT_READ | EPT_WRITE)) == EPT_WRITE) return true;
    if (perms == EPT_EXECUTE && !execute_only_ok) return true;
    const uint64_t above_maxphyaddr =
        ((uint64_t{1} << 52) - 1) & ~((uint64_t{1} << maxphyaddr) - 1);
    if (e.raw() & above_maxphyaddr) return true;
    if (level == 4) return (e.raw() & (uint64_t{0x1f} << 3)) != 0;
    const bool leaf = level == 1 || e.large();
    if (!leaf) return (e.raw() & (uint64_t{0xf} << 3)) != 0;
    const uint8_t type = static_cast<uint8_t>(e.memory_type());
    if (type == 2 || type == 3 || type == 7) return true;
    if (level == 3) return (e.raw() & 0x3fff'f000) != 0; // bits 29:12 of a 1 GiB page
    if (level == 2) return (e.raw() & 0x001f'f000) != 0; // bits 20:12 of a 2 MiB page
    return false;
}

/// The extended-page-table pointer, VMCS field EPT_POINTER (SDM Vol 3C 25.6.11):
///
///   63:N reserved | N-1:12 PML4 address | 11:8 reserved | 7 SSS | 6 A/D | 5:3 walk - 1 | 2:0 type
class EptPointer {
  public:
    static constexpr uint64_t MEMORY_TYPE_MASK = 7;                 ///< bits 2:0
    static constexpr uint64_t WALK_LENGTH_SHIFT = 3;                ///< bits 5:3
    static constexpr uint64_t WALK_LENGTH_MASK = uint64_t{7} << 3;  ///< walk length - 1
    static constexpr uint64_t ENABLE_AD = uint64_t{1} << 6;         ///< bit 6
    static constexpr uint64_t ADDRESS_MASK = 0x000f'ffff'ffff'f000; ///< bits 51:12

    /// A zero EPTP (not valid for VM entry).
    constexpr EptPointer() = default;
    /// An EPTP with raw value @p raw.
    explicit constexpr EptPointer(uint64_t raw) : m_raw(raw) {}
    /// The raw value, for the VMCS.
    constexpr uint64_t raw() const { return m_raw; }
    /// Bits 2:0: the memory type used to read the EPT paging structures.
    constexpr EptMemoryType memory_type() const {
        return static_cast<EptMemoryType>(m_raw & MEMORY_TYPE_MASK);
    }
    /// The page-walk length: bits 5:3 plus one (4 for 4-level EPT).
    constexpr unsigned walk_length() const {
        return static_cast<unsigned>((m_raw & WALK_LENGTH_MASK) >> WALK_LENGTH_SHIFT) + 1;
    }
    /// Bit 6: the CPU sets A and D flags in EPT entries (SDM Vol 3C 29.3.5).
    constexpr bool ad_enabled() const { return (m_raw & ENABLE_AD) != 0; }
    /// Bits 51:12: physical address of the EPT PML4.
    constexpr uint64_t pml4() const { return m_raw & ADDRESS_MASK; }

  private:
    uint64_t m_raw = 0;
};
static_assert(sizeof(EptPointer) == 8, "the EPTP is a 64-bit VMCS field (SDM Vol 3C 25.6.11)");

} // namespace hv
