// Lab 6, step 2: changing the extended page tables under a running guest (SDM Vol 3C 29.3). The
// contracts are in ept.h. The caller invalidates the CPU's cached translations (INVEPT, SDM Vol
// 3C 29.4.3.3) after unmap() and protect(): nothing here may assume it has.
//
// Validate, then act: unmap() and protect() change nothing when part of the range is not mapped.
#include "hypervisor/core/ept/ept.h"

namespace hv {

Result<void> Ept::split(EptEntry& pde) {
    // TODO(lab6): replace the 2 MiB leaf by a table of 4 KiB leaves mapping the same memory.
    (void)pde;
    return Error{Errc::unsupported, "TODO(lab6): Ept::split"};
}

Result<void> Ept::unmap(uint64_t gpa, uint64_t size) {
    // TODO(lab6): remove every mapping in the range, splitting where the range ends mid-page.
    (void)gpa;
    (void)size;
    return Error{Errc::unsupported, "TODO(lab6): Ept::unmap"};
}

Result<void> Ept::protect(uint64_t gpa, uint64_t size, uint64_t perms) {
    // TODO(lab6): give every page in the range the access bits @p perms, splitting as unmap().
    (void)gpa;
    (void)size;
    (void)perms;
    return Error{Errc::unsupported, "TODO(lab6): Ept::protect"};
}

} // namespace hv
