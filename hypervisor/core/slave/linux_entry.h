// The state a Linux kernel expects at its 64-bit entry point (Documentation/arch/x86/boot.rst,
// "64-bit Boot Protocol"): long mode with paging on and an identity map covering the kernel,
// the zero page and the command line; a GDT in which __BOOT_CS (0x10) is a flat 64-bit code
// segment and __BOOT_DS (0x18) a flat data segment, loaded in CS and in DS, ES, SS; interrupts
// disabled; RSI holding the zero page's address. The rest of the boot memory (the plan, the
// identity map, the GDT) is declared in slave_layout.h; all of it is lab 7, step 2
// (linux_boot.cc).
#pragma once

#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/guest_regs.h"
#include "hypervisor/core/slave/slave_layout.h"

namespace hv {

/// The slave's bootstrap CPU at Linux's 64-bit entry, as plan @p p laid its memory out: @p g a
/// 64-bit guest (lab 5's long_mode_guest(): CS 0x10, data 0x18, paging through the identity map
/// at SlaveFixed::PML4) entering at p.entry_gpa with its stack at SlaveFixed::STACK_TOP and
/// interrupts disabled, its GDTR the boot GDT at SlaveFixed::GDT with limit @p gdt_limit (what
/// write_boot_gdt() returned); @p r every general register 0 but RSI, the zero page
/// (SlaveFixed::ZERO_PAGE). @p caps as for long_mode_guest().
void linux_entry_state(VmxGuestState& g, GuestRegs& r, const VmxCaps& caps, const SlavePlan& p,
                       uint16_t gdt_limit);

} // namespace hv
