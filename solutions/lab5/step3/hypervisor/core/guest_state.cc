// Lab 5, step 3 solution: the guest state of the test guests (contracts in guest_state.h).
#include "hypervisor/core/guest_state.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv {

using namespace vmx_bits;
using namespace kern::x86;

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
