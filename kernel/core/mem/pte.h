// Pte: one x86-64 paging-structure entry, for 4-level paging (SDM Vol 3A 4.5).
//
// The same 64-bit layout serves all four levels (SDM Vol 3A Tables 4-14 to 4-20):
//
//   63   62:59  58:52  51:12 (M-1:12)    11:9  8  7   6  5  4   3   2   1   0
//   XD   PKE    ign.   physical address  ign.  G  PS  D  A  PCD PWT U/S R/W P
//
//   PML4E (Table 4-15)        PS reserved (must be 0); address of a PDPT
//   PDPTE (Tables 4-16, 4-17) PS=1: maps a 1 GiB page, address bits 51:30 (bit 12 = PAT)
//   PDE   (Tables 4-18, 4-19) PS=1: maps a 2 MiB page, address bits 51:21 (bit 12 = PAT)
//   PTE   (Table 4-20)        maps a 4 KiB page; bit 7 is PAT there, not PS
//
// D and G matter only in entries that map a page. XD is reserved unless IA32_EFER.NXE = 1.
// A raw uint64_t with named accessors, not a bitfield: bitfield layout is implementation-
// defined, and tables built on the host must match what the MMU reads.
#pragma once

#include <stdint.h>

namespace kern {

/// A 4-level paging-structure entry (PML4E, PDPTE, PDE or PTE).
class Pte {
  public:
    static constexpr uint64_t PRESENT = uint64_t{1} << 0;       ///< P: the entry is valid
    static constexpr uint64_t WRITABLE = uint64_t{1} << 1;      ///< R/W: writes allowed
    static constexpr uint64_t USER = uint64_t{1} << 2;          ///< U/S: ring-3 access allowed
    static constexpr uint64_t WRITE_THROUGH = uint64_t{1} << 3; ///< PWT
    static constexpr uint64_t CACHE_DISABLE = uint64_t{1} << 4; ///< PCD
    static constexpr uint64_t ACCESSED = uint64_t{1} << 5;      ///< A: set by the CPU on use
    static constexpr uint64_t DIRTY = uint64_t{1} << 6;         ///< D: set by the CPU on write
    static constexpr uint64_t HUGE = uint64_t{1} << 7;          ///< PS in a PDPTE/PDE
    static constexpr uint64_t GLOBAL = uint64_t{1} << 8;        ///< G: survives CR3 loads
    static constexpr uint64_t NO_EXECUTE = uint64_t{1} << 63;   ///< XD: no instruction fetch
    /// Address bits 51:12: a table or 4 KiB frame (MAXPHYADDR is at most 52).
    static constexpr uint64_t ADDRESS_MASK = 0x000f'ffff'ffff'f000;
    /// Address bits 51:21 of a 2 MiB page (PDE with PS=1).
    static constexpr uint64_t ADDRESS_MASK_2M = 0x000f'ffff'ffe0'0000;
    /// Address bits 51:30 of a 1 GiB page (PDPTE with PS=1).
    static constexpr uint64_t ADDRESS_MASK_1G = 0x000f'ffff'c000'0000;
    /// The flags a caller may ask for when mapping a 4 KiB page (P is implied).
    static constexpr uint64_t MAP_FLAGS =
        PRESENT | WRITABLE | USER | WRITE_THROUGH | CACHE_DISABLE | GLOBAL | NO_EXECUTE;

    /// A non-present, all-zero entry.
    constexpr Pte() = default;
    /// An entry with raw value @p raw.
    explicit constexpr Pte(uint64_t raw) : m_raw(raw) {}
    /// A present entry pointing at @p phys (4 KiB-aligned) with the flag bits @p flags.
    static constexpr Pte make(uint64_t phys, uint64_t flags) {
        return Pte((phys & ADDRESS_MASK) | (flags & ~ADDRESS_MASK) | PRESENT);
    }

    /// The raw 64-bit value, as the MMU sees it.
    constexpr uint64_t raw() const { return m_raw; }
    /// Everything but the address bits.
    constexpr uint64_t flags() const { return m_raw & ~ADDRESS_MASK; }
    /// Bits 51:12: the next table, or the 4 KiB frame of a PTE.
    constexpr uint64_t address() const { return m_raw & ADDRESS_MASK; }
    /// Replace the address bits with those of @p phys (4 KiB-aligned).
    constexpr void set_address(uint64_t phys) {
        m_raw = (m_raw & ~ADDRESS_MASK) | (phys & ADDRESS_MASK);
    }

    /// P
    constexpr bool present() const { return has(PRESENT); }
    /// R/W
    constexpr bool writable() const { return has(WRITABLE); }
    /// U/S
    constexpr bool user() const { return has(USER); }
    /// PWT
    constexpr bool write_through() const { return has(WRITE_THROUGH); }
    /// PCD
    constexpr bool cache_disable() const { return has(CACHE_DISABLE); }
    /// A
    constexpr bool accessed() const { return has(ACCESSED); }
    /// D
    constexpr bool dirty() const { return has(DIRTY); }
    /// PS: meaningful in a PDPTE or PDE only
    constexpr bool huge() const { return has(HUGE); }
    /// G
    constexpr bool global() const { return has(GLOBAL); }
    /// XD
    constexpr bool no_execute() const { return has(NO_EXECUTE); }

    /// Set or clear P.
    constexpr void set_present(bool on) { set(PRESENT, on); }
    /// Set or clear R/W.
    constexpr void set_writable(bool on) { set(WRITABLE, on); }
    /// Set or clear U/S.
    constexpr void set_user(bool on) { set(USER, on); }
    /// Set or clear PWT.
    constexpr void set_write_through(bool on) { set(WRITE_THROUGH, on); }
    /// Set or clear PCD.
    constexpr void set_cache_disable(bool on) { set(CACHE_DISABLE, on); }
    /// Set or clear A.
    constexpr void set_accessed(bool on) { set(ACCESSED, on); }
    /// Set or clear D.
    constexpr void set_dirty(bool on) { set(DIRTY, on); }
    /// Set or clear PS.
    constexpr void set_huge(bool on) { set(HUGE, on); }
    /// Set or clear G.
    constexpr void set_global(bool on) { set(GLOBAL, on); }
    /// Set or clear XD.
    constexpr void set_no_execute(bool on) { set(NO_EXECUTE, on); }

  private:
    constexpr bool has(uint64_t bit) const { return (m_raw & bit) != 0; }
    constexpr void set(uint64_t bit, bool on) { m_raw = on ? (m_raw | bit) : (m_raw & ~bit); }

    uint64_t m_raw = 0;
};
static_assert(sizeof(Pte) == 8, "a paging-structure entry is 64 bits (SDM Vol 3A 4.5)");

/// Entries in one paging structure: a 4 KiB table of 8-byte entries.
inline constexpr unsigned PT_ENTRIES = 512;

/// Index into the PML4: linear-address bits 47:39 (SDM Vol 3A 4.5.4).
constexpr unsigned pml4_index(uint64_t va) {
    return (va >> 39) & 511;
}
/// Index into the PDPT: bits 38:30.
constexpr unsigned pdpt_index(uint64_t va) {
    return (va >> 30) & 511;
}
/// Index into the page directory: bits 29:21.
constexpr unsigned pd_index(uint64_t va) {
    return (va >> 21) & 511;
}
/// Index into the page table: bits 20:12.
constexpr unsigned pt_index(uint64_t va) {
    return (va >> 12) & 511;
}

/// Whether @p va is canonical for 48-bit linear addresses: bits 63:47 all equal
/// (SDM Vol 1 3.3.7.1); using any other address raises #GP.
constexpr bool is_canonical(uint64_t va) {
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

} // namespace kern
