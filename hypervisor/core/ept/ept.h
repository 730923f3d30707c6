// Ept: building and reading the extended page tables that map a guest's physical memory
// (SDM Vol 3C 29.3, "The Extended Page Table Mechanism (EPT)").
//
//   63    48 47     39 38     30 29     21 20     12 11        0
//   |  0    | PML4    | PDPT    | PD      | PT      | offset    |    guest-physical address
//
// With EPT on, every guest-physical address (GPA) the guest uses is translated to a host-
// physical address (HPA) by a 4-level walk rooted at the EPTP (see ept_entry.h): the same
// shape as ordinary paging, but with R/W/X bits instead of P/RW/US and a memory type in each
// leaf. Guest RAM is mapped with 2 MiB pages where alignment allows (one PDE instead of a
// 512-entry PT), 4 KiB pages elsewhere; unmap() and protect() split a 2 MiB page when they
// touch only part of it. Tables come from a FrameSource and are reached through PhysAccess,
// as in core/mem/page_table.h, so the same code runs in the hypervisor and in host tests.
//
// Lab 6, step 1 writes the tables (ept.cc: create, map, translate, destroy, the EPTP), step 2
// changes them under a running guest (ept_split.cc: split, unmap, protect).
//
// Nothing here invalidates cached translations: INVEPT is privileged. After unmap() or
// protect() (and after destroy(), before the frames are reused) the caller must execute
// INVEPT for this EPTP, on every CPU that may have used it, before relying on the old
// mapping being gone (SDM Vol 3C 29.4.3.3). Not thread-safe: the caller holds the VM's lock.
#pragma once

#include "core/mem/page.h"
#include "core/mem/page_table.h"
#include "core/result.h"
#include "hypervisor/core/ept/ept_entry.h"

#include <stdint.h>

namespace hv {

using kern::Errc;
using kern::Error;
using kern::FrameSource;
using kern::PhysAccess;
using kern::Result;

/// Guest-physical addresses a 4-level EPT translates: bits 47:0 (SDM Vol 3C 29.3.2).
inline constexpr uint64_t EPT_GPA_LIMIT = uint64_t{1} << 48;
/// Size of a page mapped by an EPT PDE with bit 7 set.
inline constexpr uint64_t EPT_PAGE_2M = uint64_t{1} << 21;

/// The result of a successful translation.
struct EptTranslation {
    uint64_t hpa;              ///< host-physical address of the byte, page offset included
    uint64_t page_size;        ///< size of the mapping page: 4 KiB, 2 MiB or 1 GiB
    uint64_t perms;            ///< EPT_READ/WRITE/EXECUTE allowed at every level of the walk
    EptMemoryType memory_type; ///< bits 5:3 of the leaf
    bool ignore_pat;           ///< bit 6 of the leaf
};

/// One guest's EPT: an EPT PML4 and the tables below it.
class Ept {
  public:
    /// An empty object with no root; only for Result<Ept>. Do not use it.
    Ept() = default;
    /// Adopt the existing EPT PML4 at physical address @p root (e.g. one built by hand).
    Ept(uint64_t root, FrameSource& frames, PhysAccess& phys)
        : m_root(root), m_frames(&frames), m_phys(&phys) {}

    /// A new, empty EPT: one zeroed PML4 from @p frames. Errc::no_memory if none is left.
    static Result<Ept> create(FrameSource& frames, PhysAccess& phys);

    /// Map guest-physical [@p gpa, @p gpa + @p size) to host-physical [@p hpa, @p hpa +
    /// @p size): a 2 MiB page wherever gpa and hpa are both 2 MiB-aligned and at least 2 MiB
    /// remain, 4 KiB pages elsewhere. Refuses with Errc::invalid_argument a gpa, hpa or size
    /// that is not 4 KiB-aligned, a zero size, a range that wraps or ends above EPT_GPA_LIMIT
    /// (gpa) or kern::MAX_PHYS_ADDR (hpa), perms that are 0, outside EPT_PERMS or write
    /// without read, or a type other than uncacheable or write_back; with Errc::already_exists
    /// if any page of the range is mapped (then nothing changes). An empty PT where a 2 MiB
    /// page goes is freed and replaced by the leaf. On Errc::no_memory the part already mapped
    /// is unmapped again; intermediate tables allocated stay in place, empty.
    /// Execute-only perms are allowed: the caller checks IA32_VMX_EPT_VPID_CAP bit 0.
    /// @param gpa first guest-physical address, 4 KiB-aligned
    /// @param hpa first host-physical address, 4 KiB-aligned
    /// @param size bytes to map, a non-zero multiple of 4 KiB
    /// @param perms access bits, e.g. EPT_READ | EPT_WRITE | EPT_EXECUTE
    /// @param type memory type of the leaves: write_back for RAM, uncacheable for MMIO
    Result<void> map(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perms, EptMemoryType type);

    /// Remove every mapping in [@p gpa, @p gpa + @p size), splitting a 2 MiB page that the
    /// range covers only in part (the rest of it stays mapped, as 4 KiB pages). Frees no table:
    /// an emptied PT stays until destroy() or a 2 MiB map() over its whole range. Range errors
    /// as for map(); Errc::not_found if any page of the range is not mapped (then nothing
    /// changes); Errc::no_memory if a split needs a table and none is left (pages before it
    /// are already unmapped); Errc::unsupported inside a 1 GiB page. The caller must INVEPT.
    /// @param gpa first guest-physical address, 4 KiB-aligned
    /// @param size bytes to unmap, a non-zero multiple of 4 KiB
    Result<void> unmap(uint64_t gpa, uint64_t size);

    /// Replace the access bits of every page in [@p gpa, @p gpa + @p size) with @p perms
    /// (address, memory type, IPAT, A and D are kept), splitting 2 MiB pages as unmap() does.
    /// Errors as for unmap(), plus Errc::invalid_argument for perms map() refuses. The caller
    /// must INVEPT.
    /// @param gpa first guest-physical address, 4 KiB-aligned
    /// @param size bytes to change, a non-zero multiple of 4 KiB
    /// @param perms new access bits (non-zero; use unmap() for no access)
    Result<void> protect(uint64_t gpa, uint64_t size, uint64_t perms);

    /// Walk the EPT for @p gpa as the CPU would, honouring 2 MiB and 1 GiB pages. Errc::
    /// invalid_argument if @p gpa >= EPT_GPA_LIMIT; Errc::not_found if an entry on the way is
    /// not present (an EPT violation); Errc::corrupt if one is misconfigured
    /// (ept_entry_misconfigured()).
    Result<EptTranslation> translate(uint64_t gpa) const;

    /// The VMCS EPT_POINTER value (SDM Vol 3C 25.6.11; the layout is EptPointer's): this PML4's
    /// address, the CPU reads the tables as write-back memory (bits 2:0 = 6), a 4-level walk
    /// (bits 5:3 hold the walk length minus one), and accessed/dirty flags if @p ad (bit 6).
    /// The caller checks the CPU supports them (IA32_VMX_EPT_VPID_CAP bits 6, 14 and 21).
    uint64_t eptp(bool ad) const;

    /// Physical address of the EPT PML4 (0 after destroy()).
    uint64_t root() const { return m_root; }

    /// Give every table frame (PML4 included) back to the FrameSource; the mapped guest
    /// memory is not touched. Afterwards root() is 0 and only create() makes a usable Ept.
    /// The caller must first stop every vCPU using this EPT and INVEPT it.
    void destroy();

  private:
    /// The entry at @p level (2 = PDE, 1 = PTE) for @p gpa, walking down from the PML4. A
    /// missing table is allocated (zeroed, entry EptEntry::table()) when @p create, else the
    /// walk fails with Errc::not_found. A large page above @p level fails with
    /// Errc::unsupported (split it first). @p gpa must be below EPT_GPA_LIMIT.
    Result<EptEntry*> walk(uint64_t gpa, int level, bool create);

    /// Remove the leaves map() placed in [@p gpa, @p gpa + @p size) before it ran out of frames:
    /// whole 2 MiB and 4 KiB pages, never part of a 2 MiB page, so nothing needs splitting. The
    /// tables stay (empty). Used by map() to undo a partial map.
    void clear_leaves(uint64_t gpa, uint64_t size);

    /// Turn the 2 MiB leaf @p pde into a pointer to a new PT of 512 4 KiB leaves that map the
    /// same memory with the same bits (perms, type, IPAT, A, D). Errc::no_memory leaves @p pde
    /// unchanged.
    Result<void> split(EptEntry& pde);

    /// How many bytes of [@p gpa, @p gpa + @p size) are mapped: 0 means none, @p size means
    /// all. Skips whole non-present tables, so it is fast on sparse ranges.
    uint64_t mapped_bytes(uint64_t gpa, uint64_t size) const;

    /// Free the table at @p phys (at @p level) and, below it, every table it points to.
    void free_tables(uint64_t phys, int level);

    /// Range checks shared by map(), unmap() and protect() (given): see map().
    static Result<void> check_range(uint64_t gpa, uint64_t size) {
        if (!kern::page_aligned(gpa) || !kern::page_aligned(size) || size == 0)
            return Error{Errc::invalid_argument, "ept: gpa or size not 4 KiB-aligned, or empty"};
        if (gpa >= EPT_GPA_LIMIT || size > EPT_GPA_LIMIT - gpa)
            return Error{Errc::invalid_argument, "ept: range wraps or ends above 2^48"};
        return {};
    }
    /// Permission checks shared by map() and protect() (given): see map().
    static Result<void> check_perms(uint64_t perms) {
        if (perms == 0 || (perms & ~EPT_PERMS) != 0)
            return Error{Errc::invalid_argument, "ept: perms empty or outside EPT_PERMS"};
        if ((perms & (EPT_READ | EPT_WRITE)) == EPT_WRITE)
            return Error{Errc::invalid_argument, "ept: write without read (SDM 29.3.3.1)"};
        return {};
    }

    /// The table (512 entries) at physical address @p phys.
    EptEntry* table(uint64_t phys) const { return static_cast<EptEntry*>(m_phys->to_virt(phys)); }

    uint64_t m_root = 0;             ///< physical address of the EPT PML4
    FrameSource* m_frames = nullptr; ///< where new tables come from
    PhysAccess* m_phys = nullptr;    ///< how tables are reached
};

} // namespace hv
