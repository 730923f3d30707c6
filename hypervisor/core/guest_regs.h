// The guest's general-purpose registers, which the VMCS does not hold (only RSP, RIP and RFLAGS
// are VMCS fields, SDM Vol 3C 25.4.1): vm_entry.S loads them before VMLAUNCH/VMRESUME and
// saves them at every VM exit. CR2 is not switched by VMX either (SDM 27.3.2.1 lists what a
// VM entry loads), so it travels here too.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// Guest registers not in the VMCS.
struct GuestRegs {
    /// @{
    /// A general-purpose register of the guest.
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    /// @}
    uint64_t cr2; ///< page-fault address register
};
static_assert(offsetof(GuestRegs, rax) == 0);
static_assert(offsetof(GuestRegs, rdi) == 40, "vm_entry.S uses these offsets");
static_assert(offsetof(GuestRegs, r15) == 112);
static_assert(offsetof(GuestRegs, cr2) == 120);

/// Result of vmx_enter().
enum class EntryResult : int {
    vm_exit = 0,      ///< the guest ran and exited: read VM_EXIT_REASON
    fail_invalid = 1, ///< VMLAUNCH/VMRESUME failed with VMfailInvalid (no current VMCS)
    fail_valid = 2,   ///< failed with VMfailValid: read VM_INSTRUCTION_ERROR
    not_written = 3,  ///< the skeleton of vm_entry.S (lab 5, step 4): nothing was tried
};

} // namespace hv
