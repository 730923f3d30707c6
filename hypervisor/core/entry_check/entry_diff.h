// Judging one case of the differential test (hypervisor/test/entry_diff_tests.cc): the checker's
// verdict against what VMLAUNCH did, allowing for the few places where the CPU under test, Bochs
// 2.7, does not follow the SDM. Those places are a short, explicit list (BochsDeviation); a
// disagreement they do not explain is a checker bug (or a new Bochs deviation to list, with its
// SDM section, after reading Bochs' source).
#pragma once

#include "hypervisor/core/entry_check/entry_check.h"

#include <stdint.h>

namespace hv {

/// What VMLAUNCH did with a state (SDM Vol 3C 27.1-27.3, 31.4 VM-instruction error numbers).
enum class CpuVerdict : uint8_t {
    accepted, ///< the guest ran: any VM exit whose exit reason has bit 31 clear
    refused,  ///< VMfailValid with error 7 or 8, or a VM exit with bit 31 (VM-entry failure)
    other,    ///< anything else (VMfailInvalid, another VM-instruction error)
};

/// How Bochs departs from the SDM for one rule.
enum class DeviationKind : uint8_t {
    accepts, ///< Bochs accepts a state the SDM makes VM entry refuse
    refuses, ///< Bochs refuses a state the SDM accepts
    panics,  ///< Bochs accepts the state and then stops the emulator: never launched
};

/// One listed Bochs 2.7 deviation from the SDM.
struct BochsDeviation {
    const char* name;    ///< a token for the `@@` lines, e.g. "guest_rip_noncanonical"
    const char* section; ///< the SDM rule Bochs departs from, e.g. "SDM Vol 3C 27.3.1.4"
    const char* what;    ///< one line: what Bochs does
    DeviationKind kind;  ///< accepts, refuses or panics
};

/// The whole list (for the documentation and the `@@` lines); @p count receives its length.
const BochsDeviation* bochs_deviations(unsigned* count);

/// The deviation that makes Bochs panic on @p s, or nullptr: such a state is never launched.
/// @param s    the state about to be launched
/// @param caps the CPU's capabilities
const BochsDeviation* bochs_panics_on(const VmxState& s, const VmxCaps& caps);

/// The deviation that explains Bochs accepting @p s although the checker refused it with @p why,
/// or nullptr.
/// @param s    the state
/// @param caps the CPU's capabilities
/// @param why  the checker's failure
const BochsDeviation* bochs_accepts_explained(const VmxState& s, const VmxCaps& caps,
                                              const EntryCheckFailure& why);

/// The deviation that explains Bochs refusing @p s although the checker accepted it, or nullptr.
/// @param s    the state
/// @param caps the CPU's capabilities
const BochsDeviation* bochs_refuses_explained(const VmxState& s, const VmxCaps& caps);

/// The outcome of one case.
enum class DiffOutcome : uint8_t {
    agree_accept,      ///< both accepted
    agree_refuse,      ///< both refused
    bochs_deviation,   ///< they differ as a listed deviation says (or it was not launched)
    checker_too_lax,   ///< the checker accepted, the CPU refused: a checker bug
    checker_too_rigid, ///< the checker refused, the CPU accepted: a checker bug
    cpu_other,         ///< the CPU did something that is neither (see CpuVerdict::other)
};

/// Judge one case. @p deviation is set to the deviation that explains it (or nullptr).
/// @param s          the state
/// @param caps       the CPU's capabilities
/// @param checker_ok the checker's verdict
/// @param why        the checker's failure when !checker_ok
/// @param launched   false if the state was not launched (bochs_panics_on() named it)
/// @param cpu        what the CPU did (ignored when !launched)
/// @param deviation  receives the explaining deviation, or nullptr
DiffOutcome judge_case(const VmxState& s, const VmxCaps& caps, bool checker_ok,
                       const EntryCheckFailure& why, bool launched, CpuVerdict cpu,
                       const BochsDeviation** deviation);

/// True for the outcomes that are agreements or listed deviations (the test passes on them).
constexpr bool outcome_ok(DiffOutcome o) {
    return o == DiffOutcome::agree_accept || o == DiffOutcome::agree_refuse ||
           o == DiffOutcome::bochs_deviation;
}

/// A short token for @p o, for the `@@` lines.
const char* diff_outcome_name(DiffOutcome o);

} // namespace hv
