// Lab 1 solution: x86-64 4-level page tables (SDM Vol 3A 4.5).
#include "core/mem/page_table.h"

#include "core/mem/page.h"

namespace kern {

namespace {

// Levels count down from 4 (PML4) to 1 (PT); an entry at `level` maps 2^level_shift bytes.
constexpr unsigned level_shift(int level) {
    return 12 + 9 * (level - 1);
}
constexpr unsigned index_at(uint64_t va, int level) {
    return (va >> level_shift(level)) & 511;
}

constexpr Error NOT_CANONICAL{Errc::invalid_argument, "virtual address is not canonical"};

Result<void> check_flags(uint64_t flags) {
    if (flags & ~Pte::MAP_FLAGS)
        return Error{Errc::invalid_argument,
                     "flags outside Pte::MAP_FLAGS (address bits, PS, A or D?)"};
    return {};
}

} // namespace

Result<PageTable> PageTable::create(FrameSource& frames, PhysAccess& phys) {
    uint64_t root = TRY(frames.alloc_zeroed_frame());
    return PageTable(root, frames, phys);
}

Result<Pte*> PageTable::walk(uint64_t va, bool create, bool user) {
    Pte* t = table(m_root);
    for (int level = 4; level > 1; --level) {
        Pte& e = t[index_at(va, level)];
        if (!e.present()) {
            if (!create) return Error{Errc::not_found, "virtual address not mapped"};
            uint64_t frame = TRY(m_frames->alloc_zeroed_frame());
            uint64_t flags = Pte::WRITABLE;
            if (user) flags |= Pte::USER;
            e = Pte::make(frame, flags);
        } else if (e.huge()) {
            return Error{Errc::unsupported, "virtual address inside a 2 MiB/1 GiB page"};
        } else if (user) {
            e.set_user(true);
        }
        t = table(e.address());
    }
    return &t[pt_index(va)];
}

Result<void> PageTable::map(uint64_t va, uint64_t pa, uint64_t flags) {
    if (!is_canonical(va)) return NOT_CANONICAL;
    if (!page_aligned(va) || !page_aligned(pa))
        return Error{Errc::invalid_argument, "map: va or pa not 4 KiB-aligned"};
    if (pa >= MAX_PHYS_ADDR)
        return Error{Errc::invalid_argument, "map: pa beyond the 52-bit physical address space"};
    TRY_VOID(check_flags(flags));
    Pte* pte = TRY(walk(va, true, flags & Pte::USER));
    if (pte->present()) return Error{Errc::already_exists, "map: virtual address already mapped"};
    *pte = Pte::make(pa, flags);
    return {};
}

Result<uint64_t> PageTable::unmap(uint64_t va) {
    if (!is_canonical(va)) return NOT_CANONICAL;
    Pte* pte = TRY(walk(va, false, false));
    if (!pte->present()) return Error{Errc::not_found, "unmap: virtual address not mapped"};
    uint64_t old = pte->address();
    *pte = Pte();
    return old;
}

Result<Translation> PageTable::translate(uint64_t va) const {
    if (!is_canonical(va)) return NOT_CANONICAL;
    const Pte* t = table(m_root);
    Translation tr{0, 0, true, true, false};
    for (int level = 4; level >= 1; --level) {
        Pte e = t[index_at(va, level)];
        if (!e.present()) return Error{Errc::not_found, "translate: virtual address not mapped"};
        // SDM Vol 3A 4.6: writes need R/W and user access needs U/S at every level;
        // XD at any level forbids instruction fetches.
        tr.writable = tr.writable && e.writable();
        tr.user = tr.user && e.user();
        tr.no_execute = tr.no_execute || e.no_execute();
        bool leaf = level == 1 || ((level == 2 || level == 3) && e.huge());
        if (level == 4 && e.huge())
            return Error{Errc::corrupt, "translate: PS set in a PML4 entry (reserved)"};
        if (leaf) {
            tr.page_size = uint64_t{1} << level_shift(level);
            // For huge pages bit 12 is PAT, not address: mask with the page size.
            tr.phys =
                (e.raw() & Pte::ADDRESS_MASK & ~(tr.page_size - 1)) | (va & (tr.page_size - 1));
            return tr;
        }
        t = table(e.address());
    }
    return Error{Errc::corrupt, "translate: unreachable"};
}

Result<void> PageTable::protect(uint64_t va, uint64_t flags) {
    if (!is_canonical(va)) return NOT_CANONICAL;
    TRY_VOID(check_flags(flags));
    Pte* pte = TRY(walk(va, false, false));
    if (!pte->present()) return Error{Errc::not_found, "protect: virtual address not mapped"};
    if (flags & Pte::USER)
        pte = TRY(walk(va, false, true)); // the path exists: this only adds U on the way
    uint64_t kept = pte->raw() & (Pte::ADDRESS_MASK | Pte::ACCESSED | Pte::DIRTY);
    *pte = Pte(kept | flags | Pte::PRESENT);
    return {};
}

} // namespace kern
