// Choosing a test guest's controls and the CR0/CR4 bits the hypervisor owns (guest_state.h);
// the guest-state builders are lab 5's (guest_state.cc).
#include "hypervisor/core/guest_state.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_bits.h"
#include "hypervisor/core/vmx_controls.h"

namespace hv {

using namespace vmx_bits;
using namespace kern::x86;

kern::Result<void> choose_controls(const VmxCaps& caps, const GuestControlRequest& req,
                                   VmxControls& out) {
    out = VmxControls{};
    uint32_t pin = (req.interrupts_to_guest ? 0 : PIN_EXTERNAL_INTERRUPT_EXITING) |
                   PIN_NMI_EXITING | (req.preemption_timer ? PIN_PREEMPTION_TIMER : 0);
    uint32_t proc = PROC_HLT_EXITING | PROC_ACTIVATE_SECONDARY;
    proc |= req.io_bitmap_a ? PROC_USE_IO_BITMAPS : PROC_UNCONDITIONAL_IO_EXITING;
    proc |= req.msr_bitmap ? PROC_USE_MSR_BITMAPS : 0;
    uint32_t proc2 = req.use_ept ? PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST : 0;
    uint32_t exit = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_EFER;
    uint32_t entry = ENTRY_LOAD_IA32_EFER | (req.long_mode ? ENTRY_IA32E_MODE_GUEST : 0);
    if (req.switch_pat) {
        exit |= EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_PAT;
        entry |= ENTRY_LOAD_IA32_PAT;
    }
    out.pin_based = TRY(adjust_controls(pin, caps.true_pinbased_ctls, "pin-based controls"));
    out.proc_based =
        TRY(adjust_controls(proc, caps.true_procbased_ctls, "primary processor-based controls"));
    out.proc_based2 =
        TRY(adjust_controls(proc2, caps.procbased_ctls2, "secondary processor-based controls"));
    out.exit = TRY(adjust_controls(exit, caps.true_exit_ctls, "VM-exit controls"));
    out.entry = TRY(adjust_controls(entry, caps.true_entry_ctls, "VM-entry controls"));
    out.ept_pointer = req.use_ept ? req.eptp : 0;
    out.io_bitmap_a = req.io_bitmap_a;
    out.io_bitmap_b = req.io_bitmap_b;
    out.msr_bitmap = req.msr_bitmap;
    out.preemption_timer = req.preemption_timer;
    return {};
}

void own_fixed_cr_bits(VmxControls& c, const VmxGuestState& g, const VmxCaps& caps) {
    // Bits that must be 1 (fixed-0 MSR) are the host's; with unrestricted guest PE and PG are
    // free (SDM 26.6: the guest may run unpaged or in real mode).
    uint64_t cr0_owned = caps.cr0_fixed0;
    if (c.proc_based2 & PROC2_UNRESTRICTED_GUEST) cr0_owned &= ~(CR0_PE | CR0_PG);
    c.cr0_guest_host_mask = cr0_owned;
    c.cr4_guest_host_mask = caps.cr4_fixed0;
    // The guest believes it set none of the forced bits it did not ask for (it never asked for
    // VMXE; a real-mode guest never asked for NE).
    c.cr0_read_shadow = g.cr0 & ~cr0_owned;
    c.cr4_read_shadow = g.cr4 & ~caps.cr4_fixed0;
}

} // namespace hv
