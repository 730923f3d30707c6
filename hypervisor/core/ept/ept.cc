// Lab 6, step 1: the extended page tables (SDM Vol 3C 29.3). The contracts are in ept.h, the
// entry and EPTP layouts in ept_entry.h; lab 1's page_table.cc is the same walk with other bits.
//
//   level   table   index bits   a present entry with bit 7 (large) set ...
//   4       PML4    47:39        (bit 7 is reserved here)
//   3       PDPT    38:30        maps a 1 GiB page (never created here, but translate it)
//   2       PD      29:21        maps a 2 MiB page
//   1       PT      20:12        (every present PTE maps a 4 KiB page)
//
// ept_index(gpa, level) and ept_level_shift(level) do the arithmetic. An entry is present when
// any of R, W, X is set. New tables: m_frames->alloc_zeroed_frame(), reached with table(phys),
// linked with EptEntry::table(phys); leaves come from EptEntry::leaf(). check_range() and
// check_perms() validate arguments for you. TRY(expr) returns a failed Result's error.
//
// Validate, then act: map() changes nothing when the range overlaps a mapping.
#include "hypervisor/core/ept/ept.h"

namespace hv {

Result<Ept> Ept::create(FrameSource& frames, PhysAccess& phys) {
    // TODO(lab6): allocate a zeroed frame for the PML4 and return an Ept over it.
    (void)frames;
    (void)phys;
    return Error{Errc::unsupported, "TODO(lab6): Ept::create"};
}

Result<EptEntry*> Ept::walk(uint64_t gpa, int level, bool create) {
    // TODO(lab6): descend from the PML4 to the table at `level`, allocating missing tables if
    // `create`; a large page on the way is Errc::unsupported. Return the entry for gpa.
    (void)gpa;
    (void)level;
    (void)create;
    return Error{Errc::unsupported, "TODO(lab6): Ept::walk"};
}

uint64_t Ept::mapped_bytes(uint64_t gpa, uint64_t size) const {
    // TODO(lab6): for each address, find the non-present entry or leaf that decides it and
    // skip to the end of the region that entry covers, counting the mapped bytes.
    (void)gpa;
    (void)size;
    return 0;
}

Result<void> Ept::map(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perms,
                      EptMemoryType type) {
    // TODO(lab6): refuse what the contract refuses, then place the leaves; out of frames, undo.
    (void)gpa;
    (void)hpa;
    (void)size;
    (void)perms;
    (void)type;
    return Error{Errc::unsupported, "TODO(lab6): Ept::map"};
}

void Ept::clear_leaves(uint64_t gpa, uint64_t size) {
    // TODO(lab6): remove the 2 MiB and 4 KiB leaves map() placed in the range.
    (void)gpa;
    (void)size;
}

Result<EptTranslation> Ept::translate(uint64_t gpa) const {
    // TODO(lab6): walk all levels as the CPU does: stop at a non-present entry or a leaf,
    // reject misconfigured entries (ept_entry_misconfigured()), AND the access bits.
    (void)gpa;
    return Error{Errc::unsupported, "TODO(lab6): Ept::translate"};
}

uint64_t Ept::eptp(bool ad) const {
    // TODO(lab6): compose the EPTP from EptPointer's fields (see ept.h for the values).
    (void)ad;
    return 0;
}

void Ept::free_tables(uint64_t phys, int level) {
    // TODO(lab6): free the tables below this one (not large pages!), then this one.
    (void)phys;
    (void)level;
}

void Ept::destroy() {
    // TODO(lab6): free the whole tree through m_frames and forget the root.
}

} // namespace hv
