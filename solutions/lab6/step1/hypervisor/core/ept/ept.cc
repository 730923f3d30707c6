// Lab 6 solution, step 1: the extended page tables (SDM Vol 3C 29.3).
#include "hypervisor/core/ept/ept.h"

namespace hv {

namespace {

constexpr uint64_t PAGE_4K = kern::PAGE_SIZE;

constexpr Error BAD_TYPE{Errc::invalid_argument, "ept: memory type is neither UC nor WB"};

} // namespace

Result<Ept> Ept::create(FrameSource& frames, PhysAccess& phys) {
    uint64_t root = TRY(frames.alloc_zeroed_frame());
    return Ept(root, frames, phys);
}

Result<EptEntry*> Ept::walk(uint64_t gpa, int level, bool create) {
    EptEntry* t = table(m_root);
    for (int l = 4; l > level; --l) {
        EptEntry& e = t[ept_index(gpa, l)];
        if (!e.present()) {
            if (!create) return Error{Errc::not_found, "ept: guest-physical address not mapped"};
            uint64_t frame = TRY(m_frames->alloc_zeroed_frame());
            e = EptEntry::table(frame);
        } else if (e.large()) {
            return Error{Errc::unsupported, "ept: address inside a large page (split it first)"};
        }
        t = table(e.address());
    }
    return &t[ept_index(gpa, level)];
}

uint64_t Ept::mapped_bytes(uint64_t gpa, uint64_t size) const {
    uint64_t mapped = 0;
    const uint64_t end = gpa + size;
    for (uint64_t g = gpa; g < end;) {
        // Find the entry that decides g: a non-present one or a leaf, and the span it covers.
        const EptEntry* t = table(m_root);
        bool present = false;
        uint64_t span = 0;
        for (int level = 4; level >= 1; --level) {
            EptEntry e = t[ept_index(g, level)];
            span = uint64_t{1} << ept_level_shift(level);
            if (!e.present()) break;
            if (level == 1 || e.large()) {
                present = true;
                break;
            }
            t = table(e.address());
        }
        uint64_t step = span - g % span;
        if (step > end - g) step = end - g;
        if (present) mapped += step;
        g += step;
    }
    return mapped;
}

Result<void> Ept::map(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perms,
                      EptMemoryType type) {
    TRY_VOID(check_range(gpa, size));
    TRY_VOID(check_perms(perms));
    if (!kern::page_aligned(hpa) || hpa >= kern::MAX_PHYS_ADDR || size > kern::MAX_PHYS_ADDR - hpa)
        return Error{Errc::invalid_argument, "ept: map: hpa unaligned or range beyond 2^52"};
    if (type != EptMemoryType::uncacheable && type != EptMemoryType::write_back) return BAD_TYPE;
    if (mapped_bytes(gpa, size) != 0)
        return Error{Errc::already_exists, "ept: map: part of the range is already mapped"};

    for (uint64_t done = 0; done < size;) {
        const uint64_t g = gpa + done, h = hpa + done;
        const bool big =
            (g % EPT_PAGE_2M) == 0 && (h % EPT_PAGE_2M) == 0 && size - done >= EPT_PAGE_2M;
        auto slot = walk(g, big ? 2 : 1, true);
        if (!slot.ok()) {
            // Roll back: only whole pages we just created lie in [gpa, g), so this cannot fail.
            clear_leaves(gpa, done);
            return slot.error();
        }
        EptEntry* e = slot.value();
        if (big && e->present()) {
            // A PT left empty by earlier unmaps (mapped_bytes() saw nothing mapped): replace it.
            m_frames->free_frame(e->address());
        }
        *e = EptEntry::leaf(h, perms, type, big);
        done += big ? EPT_PAGE_2M : PAGE_4K;
    }
    return {};
}

void Ept::clear_leaves(uint64_t gpa, uint64_t size) {
    for (uint64_t g = gpa, end = gpa + size; g < end;) {
        auto pde = walk(g, 2, false);
        if (!pde.ok()) return; // cannot happen: map() placed a leaf at each address here
        EptEntry& e = *pde.value();
        if (e.large()) {
            e = EptEntry();
            g += EPT_PAGE_2M;
        } else {
            table(e.address())[ept_index(g, 1)] = EptEntry();
            g += PAGE_4K;
        }
    }
}

Result<EptTranslation> Ept::translate(uint64_t gpa) const {
    if (gpa >= EPT_GPA_LIMIT)
        return Error{Errc::invalid_argument, "ept: translate: gpa beyond 48 bits"};
    const EptEntry* t = table(m_root);
    uint64_t perms = EPT_PERMS;
    for (int level = 4; level >= 1; --level) {
        EptEntry e = t[ept_index(gpa, level)];
        if (!e.present()) return Error{Errc::not_found, "ept: translate: not mapped"};
        if (ept_entry_misconfigured(e, level))
            return Error{Errc::corrupt, "ept: translate: misconfigured entry (SDM 29.3.3.1)"};
        perms &= e.perms(); // SDM Vol 3C 29.3.3.2: an access needs its bit at every level
        if (level == 1 || e.large()) {
            const uint64_t page = uint64_t{1} << ept_level_shift(level);
            // A leaf's address bits below the page size are 0 (else it is misconfigured).
            const uint64_t hpa = e.address() | (gpa & (page - 1));
            return EptTranslation{hpa, page, perms, e.memory_type(), e.ignore_pat()};
        }
        t = table(e.address());
    }
    return Error{Errc::corrupt, "ept: translate: unreachable"};
}

uint64_t Ept::eptp(bool ad) const {
    return (m_root & EptPointer::ADDRESS_MASK) | static_cast<uint64_t>(EptMemoryType::write_back) |
           (uint64_t{4 - 1} << EptPointer::WALK_LENGTH_SHIFT) | (ad ? EptPointer::ENABLE_AD : 0);
}

void Ept::free_tables(uint64_t phys, int level) {
    if (level > 1) {
        const EptEntry* t = table(phys);
        for (unsigned i = 0; i < EPT_ENTRIES; ++i)
            if (t[i].present() && !t[i].large()) free_tables(t[i].address(), level - 1);
    }
    m_frames->free_frame(phys);
}

void Ept::destroy() {
    if (m_root != 0) free_tables(m_root, 4);
    m_root = 0;
}

} // namespace hv
