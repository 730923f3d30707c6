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

namespace {
Segment real_segment(uint16_t sel, uint32_t type) {
    // Present, S = 1 (code/data), DPL 0: the real-mode form SDM 27.3.1.2 accepts with
    // unrestricted guest.
    return Segment{sel, uint64_t(sel) << 4, 0xFFFF, type | AR_S | AR_P};
}
} // namespace

void real_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint16_t cs, uint16_t ip, uint16_t sp) {
    g = VmxGuestState{};
    // CR0: PE and PG off (allowed with unrestricted guest); the other fixed-0 bits (NE) on.
    g.cr0 = (caps.cr0_fixed0 & ~(CR0_PE | CR0_PG)) | CR0_ET;
    g.cr4 = caps.cr4_fixed0; // VMXE; the guest sees its read shadow instead
    g.dr7 = 0x400;
    g.rflags = RFLAGS_FIXED;
    g.rip = ip;
    g.rsp = sp;
    g.cs = real_segment(cs, SEG_TYPE_CODE_XR_ACCESSED);
    g.ss = real_segment(0, SEG_TYPE_DATA_RW_ACCESSED);
    g.ds = g.es = g.fs = g.gs = g.ss;
    g.ldtr = Segment{0, 0, 0, AR_UNUSABLE};
    g.tr = Segment{0, 0, 0xFFFF, SEG_TYPE_TSS_BUSY | AR_P}; // busy TSS, as entry requires
    g.gdtr_limit = g.idtr_limit = 0xFFFF;
    g.vmcs_link_pointer = ~0ull;
    g.pat = 0x0007040600070406ull; // the reset default
}

namespace {
/// What every protected-mode test guest shares: flat 4 GiB segments (G = 1; data with D/B = 1) with
/// code `cs_sel` whose mode bits are `cs_mode` and data `cs_sel + 8`, an unusable LDTR, a busy TSS,
/// DR7 and RFLAGS at their reset values, no VMCS link, the reset PAT.
void flat_protected_guest(VmxGuestState& g, uint16_t cs_sel, uint32_t cs_mode, uint64_t rip,
                          uint64_t rsp) {
    g.dr7 = 0x400;
    g.rflags = RFLAGS_FIXED;
    g.rip = rip;
    g.rsp = rsp;
    g.cs = Segment{cs_sel, 0, 0xFFFFFFFF, SEG_TYPE_CODE_XR_ACCESSED | AR_S | AR_P | cs_mode | AR_G};
    g.ss = Segment{uint16_t(cs_sel + 8), 0, 0xFFFFFFFF,
                   SEG_TYPE_DATA_RW_ACCESSED | AR_S | AR_P | AR_DB | AR_G};
    g.ds = g.es = g.fs = g.gs = g.ss;
    g.ldtr = Segment{0, 0, 0, AR_UNUSABLE};
    g.tr = Segment{0, 0, 0x67, SEG_TYPE_TSS_BUSY | AR_P};
    g.gdtr_limit = g.idtr_limit = 0xFFFF;
    g.vmcs_link_pointer = ~0ull;
    g.pat = 0x0007040600070406ull;
}
} // namespace

void protected32_guest(VmxGuestState& g, const VmxCaps& caps, uint32_t eip, uint32_t esp) {
    g = VmxGuestState{};
    g.cr0 = (caps.cr0_fixed0 & ~CR0_PG) | CR0_PE | CR0_ET;
    g.cr4 = caps.cr4_fixed0;
    flat_protected_guest(g, 0x08, AR_DB /* 32-bit code */, eip, esp);
}

void long_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint64_t cr3, uint64_t rip,
                     uint64_t rsp) {
    g = VmxGuestState{};
    g.cr0 = caps.cr0_fixed0 | CR0_PE | CR0_PG | CR0_ET;
    g.cr4 = caps.cr4_fixed0 | CR4_PAE;
    g.cr3 = cr3;
    g.efer = IA32_EFER_LME | IA32_EFER_LMA;
    // Selectors 0x10 (code) and 0x18 (data), as the Linux boot protocol expects.
    flat_protected_guest(g, 0x10, AR_L /* 64-bit code */, rip, rsp);
}

} // namespace hv
