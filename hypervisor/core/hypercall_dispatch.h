// Deciding a hypercall (lab 5): the pure half of the VMCALL exit. The exit handler reads the
// guest's registers and CPL, calls dispatch_hypercall(), and writes the result back; every
// effect on the hypervisor goes through a HypercallEnv, so host tests use a fake one.
#pragma once

#include "hypervisor/core/hypercall.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// What a hypercall may do to the hypervisor.
struct HypercallEnv {
    /// Host pointer to guest-physical [gpa, gpa + n), or nullptr if any of it is outside guest RAM.
    virtual const uint8_t* guest_bytes(uint64_t gpa, uint64_t n) = 0;
    /// Print `n` bytes of guest text (the environment makes them safe to show).
    virtual void print(const uint8_t* text, size_t n) = 0;
    /// Hand three values to whoever launched the guest.
    virtual void report(uint64_t a, uint64_t b, uint64_t c) = 0;

  protected:
    ~HypercallEnv() = default;
};

/// The outcome of one hypercall.
struct HypercallResult {
    int64_t rax;        ///< value for the guest's RAX: >= 0 success, -HypercallError on failure
    bool stop;          ///< the guest asked to stop (HC_EXIT)
    uint64_t exit_code; ///< HC_EXIT's code when stop
};

/// Decide hypercall `nr` with arguments `a0..a2` (RBX, RCX, RDX) from a guest at privilege
/// level `cpl` (its SS.DPL).
HypercallResult dispatch_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, unsigned cpl,
                                   HypercallEnv& env);

} // namespace hv
