// Building the VmxState of a test guest: controls from the capability MSRs, and the guest-state
// area for a real-mode guest (run with "unrestricted guest", SDM Vol 3C 26.6 / 27.3.1.2) or a
// 64-bit guest. Pure: host tests build states and run them through check_vm_entry().
#pragma once

#include "core/result.h"
#include "hypervisor/core/entry_check/vmx_state.h"

#include <stdint.h>

namespace hv {

/// What a test guest needs from the hypervisor's controls.
struct GuestControlRequest {
    bool use_ept = true;           ///< EPT (and, with it, unrestricted guest); off: GPA = HPA
    uint64_t eptp = 0;             ///< EPT pointer when use_ept
    uint32_t preemption_timer = 0; ///< VMX-preemption timer start value, 0 = timer off
    bool long_mode = false;        ///< a 64-bit guest ("IA-32e mode guest" entry control)
    uint64_t io_bitmap_a = 0;      ///< physical address of I/O bitmap A, 0 = every port exits
    uint64_t io_bitmap_b = 0;      ///< physical address of I/O bitmap B (with A)
    uint64_t msr_bitmap = 0;       ///< physical address of the MSR bitmap, 0 = every MSR exits
    /// A dedicated CPU (the Linux slave's): external interrupts go straight to the guest
    /// through its IDT (no "external-interrupt exiting"), so its timer and IPIs cost no exits.
    /// NMIs still exit: that is how the master stops it.
    bool interrupts_to_guest = false;
    /// Save and load IA32_PAT on exit and entry, so a guest can own its PAT (WRMSR passed through).
    bool switch_pat = false;
};

/// Choose the controls: external interrupts and NMIs exit (the master keeps its interrupts),
/// HLT exits, I/O instructions exit (all, or as the I/O bitmaps say), RDMSR/WRMSR exit (all, or
/// as the MSR bitmap says), EPT + unrestricted guest, EFER switched on entry and exit, a 64-bit
/// host. Each
/// control class is adjusted with its (TRUE_) capability MSR; an Error names a class whose
/// required bit the CPU lacks.
kern::Result<void> choose_controls(const VmxCaps& caps, const GuestControlRequest& req,
                                   VmxControls& out);

/// Own the CR0/CR4 bits VMX forces (the fixed-1 bits, e.g. CR0.NE and CR4.VMXE; SDM 25.6.6
/// and A.7/A.8): the guest reads its own values of them from the read shadows, and a MOV to
/// CR0/CR4 that changes one exits (handle_cr_write, core/cr_access.h). Call after the guest
/// state is built; `g` gives the initial shadows.
void own_fixed_cr_bits(VmxControls& c, const VmxGuestState& g, const VmxCaps& caps);

// The guest-state builders below are lab 5's (step 3, guest_state.cc). Each fills all of @p g
// (what it does not name is 0) so that the state passes check_vm_entry() with @p caps and the
// controls choose_controls() gives for that kind of guest; each puts the guest in the state the
// reset or its boot protocol would leave it: RFLAGS = 0x2 (bit 1 is always 1), DR7 = 0x400 (its
// reset value), IA32_PAT = 0x0007040600070406 (the reset PAT), a VMCS link pointer of all ones
// (no shadow VMCS), an unusable LDTR, a busy TSS in TR at selector 0 and base 0 (limit 0x67;
// 0xFFFF in real mode), GDTR and IDTR limits 0xFFFF at base 0, CR0 and CR4 obeying the VMX
// fixed bits except where "unrestricted guest" frees CR0.PE and CR0.PG (SDM Vol 3C 25.4
// "Guest-State Area", 27.3.1 "Checks on the Guest State Area").

/// A real-mode guest (needs "unrestricted guest", so EPT) starting at @p cs : @p ip with stack
/// 0 : @p sp: CR0.PE and CR0.PG clear, CR4 only its fixed bits, every segment in real-mode form
/// (base = selector * 16, limit 0xFFFF, present, accessed; CS code, the others read/write
/// data; SS, DS, ES, FS, GS selector 0). The challenge of step 3.
void real_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint16_t cs, uint16_t ip, uint16_t sp);

/// A 32-bit protected-mode guest without paging (needs "unrestricted guest"): CR0.PE set and
/// CR0.PG clear, flat 4 GiB segments with 4 KiB granularity, 32-bit code at selector 0x08 and
/// read/write data at 0x10 (SS, DS, ES, FS, GS), entry at @p eip, stack @p esp.
void protected32_guest(VmxGuestState& g, const VmxCaps& caps, uint32_t eip, uint32_t esp);

/// A 64-bit guest: CR0.PE and CR0.PG set, CR4.PAE set, paging with the page tables at
/// guest-physical @p cr3, IA32_EFER.LME and LMA set; 64-bit code (CS.L) at selector 0x10 and
/// data at 0x18 (SS, DS, ES, FS, GS), as the Linux boot protocol's 64-bit entry expects, both
/// flat over 4 GiB; entry at @p rip, stack @p rsp.
void long_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint64_t cr3, uint64_t rip,
                     uint64_t rsp);

} // namespace hv
