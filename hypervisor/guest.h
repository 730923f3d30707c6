// Running a test guest: guest RAM, (optionally) EPT, a vCPU, run by the one run loop (run_loop.h).
//
// run_guest() runs in the calling master thread: time the guest spends is that thread's time,
// charged to its VCPU, and the master's interrupts stay the master's (external-interrupt
// exiting): a guest cannot take the CPU away from the master's real-time threads.
#pragma once

#include "core/result.h"
#include "hypervisor/core/guest_outcome.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// Run a 64-bit test guest to its end. Errors are for what prevents launching at all (no VMX,
/// no memory, a state the entry checker refuses: the message names the field).
kern::Result<void> run_guest(const GuestConfig& config, GuestOutcome& out);

} // namespace hv
