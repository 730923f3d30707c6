// EptSink: where a guest's stray accesses go when stopping the guest is not the policy.
//
// A test guest that touches memory outside its RAM is stopped at the first access (lab 6). The
// Linux slave is a long-lived guest the master wants to keep: a program scanning /dev/mem
// beyond the slave's RAM must get nothing, and the master must hear about it, but the slave
// goes on. The sink maps the faulting region to one junk page, read/write, no execute:
//
//   the first non-present entry on the walk to the faulting GPA -> the junk table of the level
//   below (a PML4E -> junk PDPT whose 512 entries -> junk PD -> junk PT -> the junk page)
//
// so any amount of scanning costs at most one VM exit per region and a constant four frames:
// junk PDPT, PD, PT and page, shared by every sunk region. Reads see what the guest itself left
// in the junk page (zeros at first), never a byte of anyone else's. Execution there still
// faults: the caller stops the guest then. Not thread-safe; the caller INVEPTs afterwards.
#pragma once

#include "hypervisor/core/ept/ept.h"

namespace hv {

/// The junk tables of one guest's EPT.
class EptSink {
  public:
    /// Allocate the four junk frames and link them (PDPT -> PD -> PT -> page).
    static Result<EptSink> create(FrameSource& frames, PhysAccess& phys);
    /// Only for Result<EptSink>; use create().
    EptSink() = default;

    /// Point the first non-present entry on @p ept's walk to @p gpa at the junk structure of
    /// the level below. Errc::already_exists if the walk finds a present leaf (the access was a
    /// permission violation, e.g. an instruction fetch, which the sink does not absorb);
    /// Errc::invalid_argument if @p gpa is at or above EPT_GPA_LIMIT.
    Result<void> absorb(Ept& ept, uint64_t gpa);

    /// Remove every link into the junk tables from @p ept, so that Ept::destroy() frees only
    /// the guest's own tables; then free the junk frames. Call once, before ept.destroy().
    void release(Ept& ept);

    /// Regions absorbed so far.
    uint64_t absorbed() const { return m_absorbed; }

  private:
    bool is_junk(uint64_t phys) const;
    void unlink(uint64_t table, int level);

    FrameSource* m_frames = nullptr;
    PhysAccess* m_phys = nullptr;
    uint64_t m_junk[4] = {}; // [0] page, [1] PT, [2] PD, [3] PDPT: the junk table at each level
    uint64_t m_absorbed = 0;
};

} // namespace hv
