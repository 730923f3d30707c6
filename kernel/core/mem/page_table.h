// PageTable: building and reading x86-64 4-level page tables (SDM Vol 3A 4.5).
//
//   63    48 47     39 38     30 29     21 20     12 11        0
//   | sign  | PML4    | PDPT    | PD      | PT      | offset    |    linear address
//
// CR3 holds the physical address of the PML4; each level's entry (see core/mem/pte.h) gives
// the physical address of the next table, until a PTE, or a PDE/PDPTE with PS = 1, maps a
// page. Tables are reached through PhysAccess and new ones come from a FrameSource, so the
// same code runs in the kernel (identity map) and in host tests (fake physical memory).
//
// Nothing here flushes the TLB (that needs privileged instructions): after unmap() or
// protect(), and after map() replaces anything, the kernel caller must invlpg the address
// (and shoot down other CPUs) before the old mapping may be relied on to be gone. Not
// thread-safe: the caller holds the address space's lock.
#pragma once

#include "core/mem/pte.h"
#include "core/result.h"

#include <stdint.h>

namespace kern {

/// Where page-table frames come from.
struct FrameSource {
    /// A fresh 4 KiB frame filled with zeros; Errc::no_memory if none is left.
    virtual Result<uint64_t> alloc_zeroed_frame() = 0;
    /// Give back a frame obtained from alloc_zeroed_frame().
    virtual void free_frame(uint64_t phys) = 0;

  protected:
    ~FrameSource() = default; // never deleted through this interface
};

/// Turns a physical address into a pointer the code can use (identity in the kernel).
struct PhysAccess {
    /// A pointer to the byte at physical address @p phys.
    virtual void* to_virt(uint64_t phys) = 0;

  protected:
    ~PhysAccess() = default; // never deleted through this interface
};

/// The result of a successful translation.
struct Translation {
    uint64_t phys;      ///< physical address of the byte, page offset included
    uint64_t page_size; ///< size of the mapping page: 4 KiB, 2 MiB or 1 GiB
    bool writable;      ///< R/W set at every level (SDM Vol 3A 4.6, with CR0.WP = 1)
    bool user;          ///< U/S set at every level
    bool no_execute;    ///< XD set at some level
};

/// One address space: a PML4 and the tables below it.
class PageTable {
  public:
    /// An empty object with no root; only for Result<PageTable>. Do not use it.
    PageTable() = default;
    /// Adopt the existing PML4 at physical address @p root (e.g. the boot tables).
    PageTable(uint64_t root, FrameSource& frames, PhysAccess& phys)
        : m_root(root), m_frames(&frames), m_phys(&phys) {}

    /// A new, empty address space: one zeroed PML4 from @p frames. Errc::no_memory if none.
    static Result<PageTable> create(FrameSource& frames, PhysAccess& phys);

    /// Physical address of the PML4: the value for CR3.
    uint64_t root() const { return m_root; }

    /// Map the 4 KiB page at @p va to the frame at @p pa with @p flags (a subset of
    /// Pte::MAP_FLAGS; P is implied), allocating zeroed intermediate tables as needed. New
    /// intermediate entries get P|W, plus U when @p flags has U (a user leaf under an
    /// existing non-U entry gets U added there): the leaf decides the permissions. Refuses
    /// with Errc::invalid_argument a non-canonical or unaligned @p va, an unaligned or
    /// too-large @p pa, or other flag bits; with Errc::already_exists a @p va already mapped;
    /// with Errc::unsupported a @p va inside a 2 MiB or 1 GiB page (no splitting). Tables
    /// allocated before a failure stay in place, empty.
    /// @param va page-aligned canonical virtual address
    /// @param pa page-aligned physical address below MAX_PHYS_ADDR
    /// @param flags Pte flag bits, e.g. Pte::WRITABLE | Pte::NO_EXECUTE
    Result<void> map(uint64_t va, uint64_t pa, uint64_t flags);

    /// Remove the 4 KiB mapping of the page containing @p va and return the physical address
    /// it mapped. Frees nothing (neither the frame nor emptied tables), and the TLB may still
    /// hold the old translation: the caller must invlpg. Errc::not_found if not mapped,
    /// Errc::unsupported inside a huge page, Errc::invalid_argument if not canonical.
    Result<uint64_t> unmap(uint64_t va);

    /// Walk the tables for @p va, honouring 2 MiB and 1 GiB pages, and return the physical
    /// address with the effective permissions of all levels. Errc::not_found if some level is
    /// not present, Errc::invalid_argument if not canonical, Errc::corrupt for PS in a PML4E.
    Result<Translation> translate(uint64_t va) const;

    /// Replace the permission flags of the 4 KiB page containing @p va with @p flags (same
    /// rules as map(); the address, A and D are kept). The caller must invlpg. Errors as for
    /// unmap(), plus Errc::invalid_argument for bad flags.
    /// @param va a canonical address inside the page
    /// @param flags new Pte flag bits, a subset of Pte::MAP_FLAGS
    Result<void> protect(uint64_t va, uint64_t flags);

  private:
    /// The heart of the lab. Return a pointer to the PTE for @p va, walking PML4, PDPT and PD.
    /// A missing table is allocated (zeroed, entry P|W, plus U if @p user) when @p create,
    /// else the walk fails with Errc::not_found. With @p user, U is added to every existing
    /// intermediate entry on the way (harmless: access needs U at every level). A PDPTE or
    /// PDE with PS set fails with Errc::unsupported. @p va must be canonical.
    Result<Pte*> walk(uint64_t va, bool create, bool user);

    /// The table (512 entries) at physical address @p phys.
    Pte* table(uint64_t phys) const { return static_cast<Pte*>(m_phys->to_virt(phys)); }

    uint64_t m_root = 0;             ///< physical address of the PML4
    FrameSource* m_frames = nullptr; ///< where new tables come from
    PhysAccess* m_phys = nullptr;    ///< how tables are reached
};

} // namespace kern
