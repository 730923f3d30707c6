// The VM-entry/exit stub (vm_entry.S) as C++ sees it.
#pragma once

#include "hypervisor/core/guest_regs.h"

extern "C" {
/// Load `regs`, VMLAUNCH (resume = 0) or VMRESUME (resume = 1) the current VMCS, and on the
/// VM exit save the guest's registers back into `regs`. Interrupts must be off. HOST_RIP must
/// be vmx_exit_entry. Returns an hv::EntryResult.
int vmx_enter(hv::GuestRegs* regs, int resume);
/// Where the CPU goes on a VM exit (the VMCS's HOST_RIP).
void vmx_exit_entry();
}
