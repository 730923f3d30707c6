// Lab 1: x86-64 4-level page tables.
//
// Read core/mem/pte.h (the entry layout) and the contracts in core/mem/page_table.h first.
// Start with walk(): map(), unmap() and protect() are short once it works. translate() walks
// on its own, because it must also stop at 2 MiB and 1 GiB pages and combine the permissions
// of every level (SDM Vol 3A 4.6).
//
//   level   table   index bits        a present entry with PS = 1 ...
//   4       PML4    47:39 pml4_index  (PS is reserved here)
//   3       PDPT    38:30 pdpt_index  maps a 1 GiB page
//   2       PD      29:21 pd_index    maps a 2 MiB page
//   1       PT      20:12 pt_index    (every PTE maps a 4 KiB page)
//
// Reach a table with table(phys); get new zeroed tables from m_frames->alloc_zeroed_frame().
// TRY(expr) returns the error of a failed Result from the current function.
#include "core/mem/page_table.h"

#include "core/mem/page.h"

namespace kern {

Result<PageTable> PageTable::create(FrameSource& frames, PhysAccess& phys) {
    // TODO(lab1): allocate a zeroed frame for the PML4 and return a PageTable over it.
    (void)frames;
    (void)phys;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::create"};
}

Result<Pte*> PageTable::walk(uint64_t va, bool create, bool user) {
    // TODO(lab1): descend PML4 -> PDPT -> PD, allocating missing tables if `create`, and
    // return the address of the PT entry for va.
    (void)va;
    (void)create;
    (void)user;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::walk"};
}

Result<void> PageTable::map(uint64_t va, uint64_t pa, uint64_t flags) {
    // TODO(lab1): check the arguments, walk with create, refuse a present PTE, fill it in.
    (void)va;
    (void)pa;
    (void)flags;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::map"};
}

Result<uint64_t> PageTable::unmap(uint64_t va) {
    // TODO(lab1): walk without create, clear a present PTE, return the old address.
    (void)va;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::unmap"};
}

Result<Translation> PageTable::translate(uint64_t va) const {
    // TODO(lab1): walk all levels, stopping at a huge page, combining permissions.
    (void)va;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::translate"};
}

Result<void> PageTable::protect(uint64_t va, uint64_t flags) {
    // TODO(lab1): like unmap, but replace the permission bits instead of clearing the PTE.
    (void)va;
    (void)flags;
    return Error{Errc::unsupported, "TODO(lab1): PageTable::protect"};
}

} // namespace kern
