// Lab 6 solution, step 2: changing the extended page tables under a running guest (SDM Vol 3C
// 29.3; the caller invalidates with INVEPT, 29.4.3.3).
#include "hypervisor/core/ept/ept.h"

namespace hv {

namespace {

constexpr uint64_t PAGE_4K = kern::PAGE_SIZE;

} // namespace

Result<void> Ept::split(EptEntry& pde) {
    uint64_t frame = TRY(m_frames->alloc_zeroed_frame());
    EptEntry* pt = table(frame);
    // Every bit but PS and the address carries over: perms, type, IPAT, A, D.
    const uint64_t bits = pde.raw() & ~(EptEntry::ADDRESS_MASK | EptEntry::LARGE);
    const uint64_t base = pde.raw() & EptEntry::ADDRESS_MASK_2M;
    for (unsigned i = 0; i < EPT_ENTRIES; ++i)
        pt[i] = EptEntry((base + i * PAGE_4K) | bits);
    pde = EptEntry::table(frame);
    return {};
}

// unmap() and protect() walk alike: a 2 MiB leaf wholly inside the range is changed in one
// go; one the range only partly covers is split first, then its 4 KiB leaves are changed.
Result<void> Ept::unmap(uint64_t gpa, uint64_t size) {
    TRY_VOID(check_range(gpa, size));
    if (mapped_bytes(gpa, size) != size)
        return Error{Errc::not_found, "ept: unmap: part of the range is not mapped"};
    for (uint64_t done = 0; done < size;) {
        const uint64_t g = gpa + done;
        EptEntry* pde = TRY(walk(g, 2, false));
        if (pde->large()) {
            if (g % EPT_PAGE_2M == 0 && size - done >= EPT_PAGE_2M) {
                *pde = EptEntry();
                done += EPT_PAGE_2M;
                continue;
            }
            TRY_VOID(split(*pde));
        }
        table(pde->address())[ept_index(g, 1)] = EptEntry();
        done += PAGE_4K;
    }
    return {};
}

Result<void> Ept::protect(uint64_t gpa, uint64_t size, uint64_t perms) {
    TRY_VOID(check_range(gpa, size));
    TRY_VOID(check_perms(perms));
    if (mapped_bytes(gpa, size) != size)
        return Error{Errc::not_found, "ept: protect: part of the range is not mapped"};
    for (uint64_t done = 0; done < size;) {
        const uint64_t g = gpa + done;
        EptEntry* pde = TRY(walk(g, 2, false));
        if (pde->large()) {
            if (g % EPT_PAGE_2M == 0 && size - done >= EPT_PAGE_2M) {
                pde->set_perms(perms);
                done += EPT_PAGE_2M;
                continue;
            }
            TRY_VOID(split(*pde));
        }
        table(pde->address())[ept_index(g, 1)].set_perms(perms);
        done += PAGE_4K;
    }
    return {};
}

} // namespace hv
