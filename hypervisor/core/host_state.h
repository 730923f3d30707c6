// The host-state area: what a VM exit loads, so that the CPU comes back to this kernel, on this
// CPU, at vmx_exit_entry (SDM Vol 3C 25.5 "Host-State Area", 28.5 "Loading Host State"). Pure
// over VmxOps (vmx_ops.h) and the master's own layout.
#pragma once

#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/vmx_ops.h"

#include <stdint.h>

namespace hv {

/// What the master's layout gives the host state: its selectors, and the linear addresses of
/// the calling CPU's tables and per-CPU block.
struct HostLayout {
    uint16_t code_selector; ///< the kernel's 64-bit code segment
    uint16_t data_selector; ///< the kernel's data segment
    uint16_t tss_selector;  ///< the calling CPU's TSS
    uint64_t gdt_base;      ///< the calling CPU's GDT
    uint64_t idt_base;      ///< the IDT
    uint64_t tss_base;      ///< the calling CPU's TSS
    uint64_t gs_base;       ///< the calling CPU's per-CPU block, which the kernel reads through GS
    uint64_t exit_rip;      ///< where a VM exit lands: vmx_exit_entry (vm_entry.S)
};

/// The host state of the calling CPU into @p h. Lab 5, step 2.
///
/// CR0, CR3 and CR4 are the CPU's as they are now (read through @p cpu); CS is the kernel's
/// code selector, SS, DS and ES its data selector, FS and GS the null selector, TR the TSS
/// selector; the GS, TR, GDTR and IDTR bases come from @p l, the FS base is 0; IA32_EFER and
/// IA32_PAT are the CPU's (RDMSR: the exit controls load them); the SYSENTER fields are 0 (the
/// master does not use SYSENTER); RSP is 0 (vm_entry.S writes HOST_RSP before each entry) and
/// RIP is @p l's exit_rip.
void host_state(VmxOps& cpu, const HostLayout& l, VmxHostState& h);

} // namespace hv
