// Memory probes that survive a fault: a read or write of an address that may be unmapped or
// reserved. If the access faults, the trap handler resumes at the probe's fix-up and the probe
// returns false, like Linux's exception tables. Used by backtraces over corrupt stacks and by
// tests that expect a page fault.
#pragma once

#include <stdint.h>

extern "C" {
/// Read 8 bytes at `addr` into `*out`; false if the read faulted.
bool probe_read_u64(const volatile uint64_t* addr, uint64_t* out);
/// Write `value` to `addr`; false if the write faulted.
bool probe_write_u64(volatile uint64_t* addr, uint64_t value);
}

namespace kern {
/// If `rip` is a probe's faulting instruction, return its fix-up address, else 0.
uint64_t probe_fixup_for(uint64_t rip);
/// The fault (vector, CR2, error code) that the last failed probe on this CPU took.
struct ProbeFault {
    uint64_t vector;     ///< exception vector
    uint64_t cr2;        ///< faulting address for a page fault (vector 14)
    uint64_t error_code; ///< the exception's error code
};
/// The last fault a probe took on this CPU (valid after a probe returned false).
ProbeFault probe_last_fault();
/// Record a probe fault (called by the trap dispatcher).
void probe_record_fault(uint64_t vector, uint64_t cr2, uint64_t error_code);
} // namespace kern
