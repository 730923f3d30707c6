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

/// A real-mode guest starting at cs:ip with stack ss:sp = 0:sp (unrestricted guest: CR0.PE = 0,
/// CR0.PG = 0; segments in real-mode form, base = selector << 4, limit 0xFFFF).
void real_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint16_t cs, uint16_t ip, uint16_t sp);

/// A 32-bit protected-mode guest without paging (unrestricted guest allows CR0.PG = 0):
/// flat code segment 0x08 and data 0x10 over 4 GiB, entry at `eip`, stack `esp`.
void protected32_guest(VmxGuestState& g, const VmxCaps& caps, uint32_t eip, uint32_t esp);

/// A 64-bit guest: paging on with page tables at guest-physical `cr3`, flat 64-bit code segment
/// 0x10 and data 0x18 (as the Linux boot protocol expects), entry at `rip`, stack `rsp`.
void long_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint64_t cr3, uint64_t rip,
                     uint64_t rsp);

} // namespace hv
