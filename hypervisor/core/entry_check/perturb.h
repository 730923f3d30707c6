// Cases for the differential test of the VM-entry checker (hypervisor/test/entry_diff_tests.cc):
// a known-good VmxState with ONE field changed, chosen by a seeded generator, so the same seed
// gives the same cases on every run and on the host.
//
// The generator knows which changes are safe to hand to a real VMLAUNCH. A VM exit loads the host
// state, so a host-state change the CPU accepts comes back into the master: only host changes the
// SDM refuses (SDM Vol 3C 27.2.2-27.2.4) or that the test restores right after the exit (SYSENTER
// MSRs, FS base, SS selector, PAT) are made. A few control bits are never flipped because the CPU
// would accept the change and it would hurt the master (they are listed in perturb.cc). Addresses
// that a change makes the CPU read (MSR lists, virtual-APIC and APIC-access pages) point at pages
// the caller prepared (PerturbEnv), so "valid" also means "harmless".
#pragma once

#include "hypervisor/core/entry_check/vmx_state.h"

#include <stdint.h>

namespace hv {

/// Memory the caller set aside for addresses a perturbed state may point at. Each is a 4 KiB
/// page, 4 KiB aligned, below MAXPHYADDR.
struct PerturbEnv {
    /// MSR-list entries, 256 of them, each {IA32_SYSENTER_CS (0x174), 0, the host's value}: a
    /// list anywhere in this page loads or stores only that MSR (see fill_msr_area()).
    uint64_t msr_area;
    uint64_t virtual_apic; ///< virtual-APIC page, VTPR (offset 0x80) = 0xF0: any threshold fits
    uint64_t apic_access;  ///< APIC-access page (and a harmless "other valid page")
};

/// IA32_SYSENTER_CS, the one MSR the test's MSR lists name (SDM Vol 4 Table 2-2).
inline constexpr uint32_t PERTURB_LIST_MSR = 0x174;

/// Fill the 4 KiB at @p page (the host's view of PerturbEnv::msr_area) with 256 MSR-list entries
/// (SDM Vol 3C 25.7.2, Table 25-15) that name PERTURB_LIST_MSR with @p value.
void fill_msr_area(void* page, uint64_t value);

/// One generated case.
struct PerturbCase {
    VmxState prepared; ///< the base plus the kind's preparation: passes the checks
    VmxState state;    ///< `prepared` with one field changed
    const char* field; ///< the VMCS field changed, SDM name
    uint64_t value;    ///< the field's new value
    unsigned kind;     ///< which generator made it (index into the kind table)
};

/// How many kinds of change the generator knows (one per field or field group).
unsigned perturb_kind_count();

/// Point the base's unused addresses at @p env (MSR lists with count 0, virtual-APIC page,
/// APIC-access page), so that a change turning a feature on uses a harmless page. The result
/// still passes the checks if @p base did.
/// @param base the known-good state to adjust
/// @param env  the prepared pages
void prepare_perturb_base(VmxState& base, const PerturbEnv& env);

/// Case @p index of the sequence seeded by @p seed: kind index % perturb_kind_count(), with its
/// bit or value drawn from a generator seeded by (seed, index). Pure and deterministic.
/// @param base  a known-good state, already through prepare_perturb_base()
/// @param caps  the CPU's capabilities (MAXPHYADDR, fixed bits)
/// @param env   the prepared pages
/// @param seed  the sequence's seed
/// @param index which case
/// @param out   the case
void make_perturb_case(const VmxState& base, const VmxCaps& caps, const PerturbEnv& env,
                       uint64_t seed, unsigned index, PerturbCase& out);

} // namespace hv
