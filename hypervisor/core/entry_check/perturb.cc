// The case generator of the differential test: a table of kinds (one per VMCS field or field
// group), each preparing what makes its field matter and then changing that one field.
//
// Never changed, because the CPU accepts the change and it would hurt the master:
//   - "external-interrupt exiting" (pin-based bit 0) cleared: the master's interrupts would be
//     delivered to the guest's IDT and never acknowledged by the master;
//   - "activate secondary controls" (primary bit 31) cleared: EPT would go off and the guest's
//     page tables would be walked in host-physical memory;
//   - "acknowledge interrupt on exit" (VM-exit bit 15) set: the exit would swallow an interrupt;
//   - "load IA32_EFER" (VM-exit bit 21) cleared: the master would come back with the guest's
//     EFER.NXE = 0, and its NX page-table bits would then be reserved bits;
//   - host CR0/CR3/CR4, selectors, bases and RIP changed to other valid values;
//   - the guest's activity state set to shutdown (2) or wait-for-SIPI (3): only an NMI, INIT or
//     SIPI wakes those, and the test could wait forever;
//   - MSR-list counts beyond the prepared page (the CPU would load or store other MSRs).
// Never set for a kit-policy reason (the SDM allows it, the checker refuses it by design):
//   - "VMCS shadowing" (secondary bit 14).
#include "hypervisor/core/entry_check/perturb.h"

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_bits.h"

#include <stddef.h>

namespace hv {

using namespace vmx_bits;
using namespace kern::x86;

namespace {

/// splitmix64: a small, good, deterministic generator.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// A number in [0, n).
    unsigned below(unsigned n) { return unsigned(next() % n); }
    bool coin() { return next() & 1; }
};

/// What a kind works with.
struct Gen {
    VmxState& s;
    const VmxCaps& caps;
    const PerturbEnv& env;
    Rng& r;
    const char* field = "";
    uint64_t value = 0;

    /// Record the change of @p name to @p v and return @p v.
    uint64_t set(const char* name, uint64_t v) {
        field = name;
        value = v;
        return v;
    }
    /// Bit @p b flipped in @p v, where b is drawn from [0, width) outside @p never.
    uint64_t flip(uint64_t v, unsigned width, uint64_t never = 0) {
        for (;;) {
            const unsigned b = r.below(width);
            if (!((never >> b) & 1)) return v ^ (uint64_t{1} << b);
        }
    }
    /// One set bit of @p mask (not 0), drawn at random.
    uint64_t one_of(uint64_t mask) {
        for (;;) {
            const uint64_t b = uint64_t{1} << r.below(64);
            if (mask & b) return b;
        }
    }
    /// A non-canonical address: one of bits 63:48 set, bit 47 random (never all of 63:47 equal).
    uint64_t noncanonical() {
        return (uint64_t{1} << (48 + r.below(16))) | (r.next() & 0x7FFFFFFFFFFFull);
    }
    /// A canonical address in the lower half.
    uint64_t canonical() { return r.next() & 0x7FFFFFFFF000ull; }
    /// A bit at or above MAXPHYADDR.
    uint64_t beyond_phys() {
        const unsigned w = caps.max_phys_addr;
        return uint64_t{1} << (w + r.below(64 - w));
    }
    /// A page address: misaligned, beyond MAXPHYADDR, or another valid (harmless) page.
    uint64_t page_address(uint64_t valid) {
        switch (r.below(3)) {
        case 0:
            return valid | (1 + r.below(0xFFF));
        case 1:
            return valid | beyond_phys();
        default:
            return env.apic_access;
        }
    }
};

using Kind = void (*)(Gen&);

/// The eight guest segment registers with their VMCS names.
struct SegName {
    Segment VmxGuestState::*seg;
    const char* selector;
    const char* base;
    const char* limit;
    const char* ar;
};
constexpr SegName SEGS[] = {
    {&VmxGuestState::es, "GUEST_ES_SELECTOR", "GUEST_ES_BASE", "GUEST_ES_LIMIT",
     "GUEST_ES_AR_BYTES"},
    {&VmxGuestState::cs, "GUEST_CS_SELECTOR", "GUEST_CS_BASE", "GUEST_CS_LIMIT",
     "GUEST_CS_AR_BYTES"},
    {&VmxGuestState::ss, "GUEST_SS_SELECTOR", "GUEST_SS_BASE", "GUEST_SS_LIMIT",
     "GUEST_SS_AR_BYTES"},
    {&VmxGuestState::ds, "GUEST_DS_SELECTOR", "GUEST_DS_BASE", "GUEST_DS_LIMIT",
     "GUEST_DS_AR_BYTES"},
    {&VmxGuestState::fs, "GUEST_FS_SELECTOR", "GUEST_FS_BASE", "GUEST_FS_LIMIT",
     "GUEST_FS_AR_BYTES"},
    {&VmxGuestState::gs, "GUEST_GS_SELECTOR", "GUEST_GS_BASE", "GUEST_GS_LIMIT",
     "GUEST_GS_AR_BYTES"},
    {&VmxGuestState::ldtr, "GUEST_LDTR_SELECTOR", "GUEST_LDTR_BASE", "GUEST_LDTR_LIMIT",
     "GUEST_LDTR_AR_BYTES"},
    {&VmxGuestState::tr, "GUEST_TR_SELECTOR", "GUEST_TR_BASE", "GUEST_TR_LIMIT",
     "GUEST_TR_AR_BYTES"},
};

// --- VM-execution, VM-exit and VM-entry control fields (SDM 27.2.1) ---

void k_pin(Gen& g) {
    auto& f = g.s.ctl.pin_based;
    f = uint32_t(g.set("PIN_BASED_VM_EXEC_CONTROL", g.flip(f, 32, PIN_EXTERNAL_INTERRUPT_EXITING)));
}
void k_proc(Gen& g) {
    auto& f = g.s.ctl.proc_based;
    f = uint32_t(g.set("CPU_BASED_VM_EXEC_CONTROL", g.flip(f, 32, PROC_ACTIVATE_SECONDARY)));
}
void k_proc2(Gen& g) {
    auto& f = g.s.ctl.proc_based2;
    f = uint32_t(g.set("SECONDARY_VM_EXEC_CONTROL", g.flip(f, 32, PROC2_VMCS_SHADOWING)));
}
void k_exit(Gen& g) {
    auto& f = g.s.ctl.exit;
    f = uint32_t(
        g.set("VM_EXIT_CONTROLS", g.flip(f, 32, EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_LOAD_IA32_EFER)));
}
void k_entry(Gen& g) {
    auto& f = g.s.ctl.entry;
    f = uint32_t(g.set("VM_ENTRY_CONTROLS", g.flip(f, 32)));
}
void k_exception_bitmap(Gen& g) {
    g.s.ctl.exception_bitmap = uint32_t(g.set("EXCEPTION_BITMAP", g.r.next() & 0xFFFFFFFF));
}
void k_cr3_targets(Gen& g) {
    const uint32_t v = g.r.coin() ? 1 + g.r.below(4) : 5 + g.r.below(0x200);
    g.s.ctl.cr3_target_count = uint32_t(g.set("CR3_TARGET_COUNT", v));
}
void k_io_bitmap(Gen& g) {
    const bool a = g.r.coin();
    uint64_t& f = a ? g.s.ctl.io_bitmap_a : g.s.ctl.io_bitmap_b;
    f = g.set(a ? "IO_BITMAP_A" : "IO_BITMAP_B", g.page_address(f));
}
void k_msr_bitmap(Gen& g) {
    g.s.ctl.msr_bitmap = g.set("MSR_BITMAP", g.page_address(g.s.ctl.msr_bitmap));
}
/// "use TPR shadow" on, with the prepared virtual-APIC page (SDM 27.2.1.1).
void tpr_shadow_on(Gen& g) {
    g.s.ctl.proc_based |= PROC_USE_TPR_SHADOW;
    g.s.ctl.virtual_apic_page = g.env.virtual_apic;
    g.s.ctl.tpr_threshold = 0;
}
void k_virtual_apic(Gen& g) {
    g.s.ctl.virtual_apic_page =
        g.set("VIRTUAL_APIC_PAGE_ADDR", g.page_address(g.s.ctl.virtual_apic_page));
}
void k_tpr_threshold(Gen& g) {
    const uint32_t v = g.r.coin() ? 1 + g.r.below(15) : (1u << (4 + g.r.below(28))) | g.r.below(16);
    g.s.ctl.tpr_threshold = uint32_t(g.set("TPR_THRESHOLD", v));
}
/// "virtualize APIC accesses" on, with the prepared APIC-access page.
void apic_access_on(Gen& g) {
    g.s.ctl.proc_based2 |= PROC2_VIRTUALIZE_APIC_ACCESSES;
    g.s.ctl.apic_access_addr = g.env.apic_access;
}
void k_apic_access(Gen& g) {
    const uint64_t v = g.page_address(g.env.apic_access);
    // The APIC-access page may be any valid page, the virtual-APIC page included.
    g.s.ctl.apic_access_addr =
        g.set("APIC_ACCESS_ADDR", v == g.env.apic_access ? g.env.virtual_apic : v);
}
/// A new address for an MSR list of 2 entries: misaligned, beyond MAXPHYADDR, inside the
/// prepared page, or (if @p may_cross) starting below MAXPHYADDR and ending above it.
uint64_t msr_list_address(Gen& g, bool may_cross) {
    switch (g.r.below(may_cross ? 4 : 3)) {
    case 0:
        return g.env.msr_area | (1 + g.r.below(15));
    case 1:
        return g.env.msr_area | g.beyond_phys();
    case 2:
        return g.env.msr_area + 16 * (1 + g.r.below(200));
    default:
        return (uint64_t{1} << g.caps.max_phys_addr) - 16;
    }
}
void k_msr_counts(Gen& g) {
    const uint32_t v = 1 + g.r.below(8); // within the prepared page
    switch (g.r.below(3)) {
    case 0:
        g.s.ctl.exit_msr_store_count = uint32_t(g.set("VM_EXIT_MSR_STORE_COUNT", v));
        break;
    case 1:
        g.s.ctl.exit_msr_load_count = uint32_t(g.set("VM_EXIT_MSR_LOAD_COUNT", v));
        break;
    default:
        g.s.ctl.entry_msr_load_count = uint32_t(g.set("VM_ENTRY_MSR_LOAD_COUNT", v));
        break;
    }
}
/// Each MSR list holds 2 entries of the prepared page, so its address matters.
void msr_lists_on(Gen& g) {
    g.s.ctl.exit_msr_store_count = g.s.ctl.exit_msr_load_count = g.s.ctl.entry_msr_load_count = 2;
}
void k_msr_addresses(Gen& g) {
    VmxControls& c = g.s.ctl;
    switch (g.r.below(3)) {
    // Only the entry list may end beyond MAXPHYADDR: if the CPU took it anyway, failing to load
    // it fails the entry, while failing to store or load a list at the exit aborts VMX.
    case 0:
        c.exit_msr_store_addr = g.set("VM_EXIT_MSR_STORE_ADDR", msr_list_address(g, false));
        break;
    case 1:
        c.exit_msr_load_addr = g.set("VM_EXIT_MSR_LOAD_ADDR", msr_list_address(g, false));
        break;
    default:
        c.entry_msr_load_addr = g.set("VM_ENTRY_MSR_LOAD_ADDR", msr_list_address(g, true));
        break;
    }
}
/// An event to inject: mostly valid-looking, every type and vector possible.
void k_intr_info(Gen& g) {
    uint32_t v = (g.r.below(8) << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;
    v |= g.r.coin() ? g.r.below(32) : g.r.below(256);
    if (g.r.coin()) v |= INTR_INFO_DELIVER_ERROR_CODE;
    if (g.r.below(4) == 0) v |= 1u << (12 + g.r.below(19)); // a reserved bit
    g.s.ctl.entry_intr_info = uint32_t(g.set("VM_ENTRY_INTR_INFO_FIELD", v));
}
/// Inject #GP, which takes an error code (SDM 27.2.1.3).
void inject_gp(Gen& g) {
    g.s.ctl.entry_intr_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
                              INTR_INFO_DELIVER_ERROR_CODE | 13;
}
void k_error_code(Gen& g) {
    const uint32_t v = g.r.coin() ? 1 + g.r.below(0xFFFF) : uint32_t(g.r.next()) | 1;
    g.s.ctl.entry_exception_error_code = uint32_t(g.set("VM_ENTRY_EXCEPTION_ERROR_CODE", v));
}
/// Inject INT 0x80 (2 bytes), a software interrupt, which needs an instruction length.
void inject_int80(Gen& g) {
    g.s.ctl.entry_intr_info =
        INTR_INFO_VALID | (INTR_TYPE_SW_INTERRUPT << INTR_INFO_TYPE_SHIFT) | 0x80;
    g.s.ctl.entry_instruction_len = 2;
}
void k_instruction_len(Gen& g) {
    const uint32_t len = g.r.below(19); // 0-18 but the prepared 2
    g.s.ctl.entry_instruction_len =
        uint32_t(g.set("VM_ENTRY_INSTRUCTION_LEN", len < 2 ? len : len + 1));
}

// --- Host-state area (SDM 27.2.2-27.2.4): only refused or restorable changes ---

void k_host_cr(Gen& g) {
    VmxHostState& h = g.s.host;
    switch (g.r.below(3)) {
    case 0: { // a FIXED0 bit (PE, NE, PG) cleared, or a bit outside FIXED1 set
        const uint64_t must = g.caps.cr0_fixed0;
        const uint64_t v =
            g.r.coin() && must ? h.cr0 & ~g.one_of(must) : h.cr0 | g.flip(0, 64, g.caps.cr0_fixed1);
        h.cr0 = g.set("HOST_CR0", v);
        break;
    }
    case 1: {
        const uint64_t may = g.caps.cr4_fixed1;
        uint64_t v;
        switch (g.r.below(3)) {
        case 0:
            v = h.cr4 & ~g.caps.cr4_fixed0; // VMXE cleared
            break;
        case 1:
            v = h.cr4 & ~CR4_PAE;
            break;
        default:
            v = h.cr4 | g.flip(0, 64, may);
            break;
        }
        h.cr4 = g.set("HOST_CR4", v);
        break;
    }
    default:
        h.cr3 = g.set("HOST_CR3", h.cr3 | g.beyond_phys());
        break;
    }
}
void k_host_selector(Gen& g) {
    VmxHostState& h = g.s.host;
    struct Sel {
        uint16_t VmxHostState::*f;
        const char* name;
    };
    static constexpr Sel SELS[] = {
        {&VmxHostState::es_selector, "HOST_ES_SELECTOR"},
        {&VmxHostState::cs_selector, "HOST_CS_SELECTOR"},
        {&VmxHostState::ss_selector, "HOST_SS_SELECTOR"},
        {&VmxHostState::ds_selector, "HOST_DS_SELECTOR"},
        {&VmxHostState::fs_selector, "HOST_FS_SELECTOR"},
        {&VmxHostState::gs_selector, "HOST_GS_SELECTOR"},
        {&VmxHostState::tr_selector, "HOST_TR_SELECTOR"},
    };
    const Sel& s = SELS[g.r.below(7)];
    uint16_t& f = h.*s.f;
    // RPL or TI set (refused); or a null CS, SS or TR (CS and TR refused; SS accepted for a
    // 64-bit host, and the test reloads SS after the exit).
    const bool null = g.r.below(3) == 0 &&
                      (s.f == &VmxHostState::cs_selector || s.f == &VmxHostState::ss_selector ||
                       s.f == &VmxHostState::tr_selector);
    f = uint16_t(g.set(s.name, null ? 0 : f | (1 + g.r.below(7))));
}
void k_host_base(Gen& g) {
    VmxHostState& h = g.s.host;
    switch (g.r.below(6)) {
    case 0:
        h.fs_base = g.set("HOST_FS_BASE", g.r.coin() ? g.noncanonical() : g.canonical());
        break; // a canonical FS base is accepted: the test restores IA32_FS_BASE after the exit
    case 1:
        h.gs_base = g.set("HOST_GS_BASE", g.noncanonical());
        break;
    case 2:
        h.tr_base = g.set("HOST_TR_BASE", g.noncanonical());
        break;
    case 3:
        h.gdtr_base = g.set("HOST_GDTR_BASE", g.noncanonical());
        break;
    case 4:
        h.idtr_base = g.set("HOST_IDTR_BASE", g.noncanonical());
        break;
    default:
        h.rip = g.set("HOST_RIP", g.noncanonical());
        break;
    }
}
void k_host_msrs(Gen& g) {
    VmxHostState& h = g.s.host;
    switch (g.r.below(4)) { // the SYSENTER MSRs are restored by the test after the exit
    case 0:
        h.sysenter_cs = uint32_t(g.set("HOST_IA32_SYSENTER_CS", g.r.next() & 0xFFFFFFFF));
        break;
    case 1:
        h.sysenter_esp =
            g.set("HOST_IA32_SYSENTER_ESP", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    case 2:
        h.sysenter_eip =
            g.set("HOST_IA32_SYSENTER_EIP", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    default: { // a reserved bit set, or LMA or LME cleared: all refused
        uint64_t v;
        switch (g.r.below(3)) {
        case 0:
            v = h.efer & ~IA32_EFER_LMA;
            break;
        case 1:
            v = h.efer & ~IA32_EFER_LME;
            break;
        default:
            v = h.efer | g.flip(0, 64, IA32_EFER_DEFINED);
            break;
        }
        h.efer = g.set("HOST_IA32_EFER", v);
        break;
    }
    }
}

/// "load IA32_PAT" on exit, so the host PAT is checked (the test restores PAT after the exit).
void exit_load_pat_on(Gen& g) {
    g.s.ctl.exit |= EXIT_LOAD_IA32_PAT;
}
/// @p pat with one entry made a random byte: mostly 0-7 (2 and 3 reserved), sometimes any.
uint64_t pat_entry_changed(Gen& g, uint64_t pat) {
    const unsigned byte = g.r.below(8);
    const uint64_t old = (pat >> (8 * byte)) & 0xFF;
    uint64_t t;
    do
        t = g.r.coin() ? g.r.below(8) : g.r.below(256);
    while (t == old);
    return (pat & ~(uint64_t{0xFF} << (8 * byte))) | t << (8 * byte);
}
void k_host_pat(Gen& g) {
    g.s.host.pat = g.set("HOST_IA32_PAT", pat_entry_changed(g, g.s.host.pat));
}

// --- Guest-state area (SDM 27.3.1) ---

void k_guest_cr0(Gen& g) {
    g.s.guest.cr0 = g.set("GUEST_CR0", g.flip(g.s.guest.cr0, 64));
}
void k_guest_cr3(Gen& g) {
    // PWT/PCD, or a bit at or above MAXPHYADDR: never another table, which without EPT would be
    // walked in the master's memory.
    const uint64_t v = g.r.coin() ? g.s.guest.cr3 ^ (uint64_t{1} << (3 + g.r.below(2)))
                                  : g.s.guest.cr3 | g.beyond_phys();
    g.s.guest.cr3 = g.set("GUEST_CR3", v);
}
void k_guest_cr4(Gen& g) {
    g.s.guest.cr4 = g.set("GUEST_CR4", g.flip(g.s.guest.cr4, 64));
}
/// "load debug controls" on, so DR7 and IA32_DEBUGCTL are loaded and checked.
void load_debug_on(Gen& g) {
    g.s.ctl.entry |= ENTRY_LOAD_DEBUG_CONTROLS;
}
void k_guest_dr7(Gen& g) {
    g.s.guest.dr7 = g.set("GUEST_DR7", g.flip(g.s.guest.dr7, 64));
}
void k_guest_debugctl(Gen& g) {
    g.s.guest.debugctl = g.set("GUEST_IA32_DEBUGCTL", uint64_t{1} << g.r.below(64));
}
void k_guest_rsp_rip(Gen& g) {
    VmxGuestState& gs = g.s.guest;
    switch (g.r.below(4)) {
    case 0:
        gs.rsp = g.set("GUEST_RSP", g.r.next());
        break;
    case 1:
        gs.rip = g.set("GUEST_RIP", g.noncanonical());
        break;
    case 2:
        gs.rip = g.set("GUEST_RIP", gs.rip | (uint64_t{1} << (32 + g.r.below(15))));
        break;
    default:
        gs.rip = g.set("GUEST_RIP", gs.rip + 1 + g.r.below(0x1000));
        break;
    }
}
void k_guest_rflags(Gen& g) {
    g.s.guest.rflags = g.set("GUEST_RFLAGS", g.flip(g.s.guest.rflags, g.r.coin() ? 22 : 64));
}
void k_guest_selector(Gen& g) {
    const SegName& n = SEGS[g.r.below(8)];
    Segment& seg = g.s.guest.*n.seg;
    seg.selector = uint16_t(g.set(n.selector, g.flip(seg.selector, 16)));
}
void k_guest_base(Gen& g) {
    const SegName& n = SEGS[g.r.below(8)];
    Segment& seg = g.s.guest.*n.seg;
    seg.base = g.set(n.base, g.r.coin() ? g.flip(seg.base, 64) : g.noncanonical());
}
void k_guest_limit(Gen& g) {
    const SegName& n = SEGS[g.r.below(8)];
    Segment& seg = g.s.guest.*n.seg;
    seg.limit = uint32_t(g.set(n.limit, g.flip(seg.limit, 32)));
}
void k_guest_ar(Gen& g) {
    const SegName& n = SEGS[g.r.below(8)];
    Segment& seg = g.s.guest.*n.seg;
    seg.access_rights =
        uint32_t(g.set(n.ar, g.flip(seg.access_rights, g.r.below(4) == 0 ? 32 : 17)));
}
void k_guest_dt(Gen& g) {
    VmxGuestState& gs = g.s.guest;
    switch (g.r.below(4)) {
    case 0:
        gs.gdtr_base = g.set("GUEST_GDTR_BASE", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    case 1:
        gs.idtr_base = g.set("GUEST_IDTR_BASE", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    case 2:
        gs.gdtr_limit = uint32_t(g.set("GUEST_GDTR_LIMIT", g.flip(gs.gdtr_limit, 32)));
        break;
    default:
        gs.idtr_limit = uint32_t(g.set("GUEST_IDTR_LIMIT", g.flip(gs.idtr_limit, 32)));
        break;
    }
}
void k_guest_efer(Gen& g) {
    g.s.guest.efer = g.set("GUEST_IA32_EFER", g.flip(g.s.guest.efer, g.r.coin() ? 12 : 64));
}
/// "load IA32_PAT" on entry, so the guest PAT is checked.
void entry_load_pat_on(Gen& g) {
    g.s.ctl.entry |= ENTRY_LOAD_IA32_PAT;
}
void k_guest_pat(Gen& g) {
    g.s.guest.pat = g.set("GUEST_IA32_PAT", pat_entry_changed(g, g.s.guest.pat));
}
void k_guest_sysenter(Gen& g) {
    VmxGuestState& gs = g.s.guest;
    switch (g.r.below(3)) {
    case 0:
        gs.sysenter_cs = uint32_t(g.set("GUEST_SYSENTER_CS", g.r.next() & 0xFFFFFFFF));
        break;
    case 1:
        gs.sysenter_esp =
            g.set("GUEST_SYSENTER_ESP", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    default:
        gs.sysenter_eip =
            g.set("GUEST_SYSENTER_EIP", g.r.coin() ? g.noncanonical() : g.canonical());
        break;
    }
}
void k_guest_activity(Gen& g) {
    uint32_t v;
    do
        v = g.r.coin() ? ACTIVITY_HLT : g.r.coin() ? 4 + g.r.below(4) : 1u << g.r.below(32);
    while (v == ACTIVITY_SHUTDOWN || v == ACTIVITY_WAIT_SIPI);
    g.s.guest.activity_state = uint32_t(g.set("GUEST_ACTIVITY_STATE", v));
}
void k_guest_interruptibility(Gen& g) {
    const unsigned b = g.r.coin() ? g.r.below(6) : g.r.below(32);
    g.s.guest.interruptibility =
        uint32_t(g.set("GUEST_INTERRUPTIBILITY_INFO", g.s.guest.interruptibility | 1u << b));
}
void k_guest_pending_dbg(Gen& g) {
    const unsigned b = g.r.coin() ? g.r.below(17) : g.r.below(64);
    // One time in four the RTM form (bits 16 and 12), legal only on a CPU with RTM.
    const uint64_t v =
        g.r.below(4) == 0 ? (uint64_t{1} << 16) | (uint64_t{1} << 12) : uint64_t{1} << b;
    g.s.guest.pending_dbg_exceptions = g.set("GUEST_PENDING_DBG_EXCEPTIONS", v);
}
void k_guest_link(Gen& g) {
    uint64_t v;
    switch (g.r.below(4)) {
    case 0:
        v = 0;
        break;
    case 1:
        v = g.env.apic_access; // a page that is not a VMCS
        break;
    case 2:
        v = g.env.apic_access | (1 + g.r.below(0xFFF));
        break;
    default:
        v = g.env.apic_access | g.beyond_phys();
        break;
    }
    g.s.guest.vmcs_link_pointer = g.set("VMCS_LINK_POINTER", v);
}
void k_guest_pdpte(Gen& g) {
    static constexpr const char* NAMES[4] = {"GUEST_PDPTR0", "GUEST_PDPTR1", "GUEST_PDPTR2",
                                             "GUEST_PDPTR3"};
    const unsigned i = g.r.below(4);
    g.s.guest.pdpte[i] = g.set(NAMES[i], g.flip(g.s.guest.pdpte[i], g.r.coin() ? 12 : 64));
}

/// One kind: an optional preparation (making the field matter) and the change.
struct KindRow {
    Kind prepare;
    Kind change;
};

constexpr KindRow KINDS[] = {
    {nullptr, k_pin},
    {nullptr, k_proc},
    {nullptr, k_proc2},
    {nullptr, k_exit},
    {nullptr, k_entry},
    {nullptr, k_exception_bitmap},
    {nullptr, k_cr3_targets},
    {nullptr, k_io_bitmap},
    {nullptr, k_msr_bitmap},
    {tpr_shadow_on, k_virtual_apic},
    {tpr_shadow_on, k_tpr_threshold},
    {apic_access_on, k_apic_access},
    {nullptr, k_msr_counts},
    {msr_lists_on, k_msr_addresses},
    {nullptr, k_intr_info},
    {inject_gp, k_error_code},
    {inject_int80, k_instruction_len},
    {nullptr, k_host_cr},
    {nullptr, k_host_selector},
    {nullptr, k_host_base},
    {nullptr, k_host_msrs},
    {exit_load_pat_on, k_host_pat},
    {nullptr, k_guest_cr0},
    {nullptr, k_guest_cr3},
    {nullptr, k_guest_cr4},
    {load_debug_on, k_guest_dr7},
    {load_debug_on, k_guest_debugctl},
    {nullptr, k_guest_rsp_rip},
    {nullptr, k_guest_rflags},
    {nullptr, k_guest_selector},
    {nullptr, k_guest_base},
    {nullptr, k_guest_limit},
    {nullptr, k_guest_ar},
    {nullptr, k_guest_ar}, // access rights hold the most rules: drawn twice as often
    {nullptr, k_guest_dt},
    {nullptr, k_guest_efer},
    {entry_load_pat_on, k_guest_pat},
    {nullptr, k_guest_sysenter},
    {nullptr, k_guest_activity},
    {nullptr, k_guest_interruptibility},
    {nullptr, k_guest_pending_dbg},
    {nullptr, k_guest_link},
    {nullptr, k_guest_pdpte},
    {nullptr, k_guest_pdpte}, // four fields, and they matter for one base of three
};
constexpr unsigned KIND_COUNT = sizeof KINDS / sizeof KINDS[0];

} // namespace

void fill_msr_area(void* page, uint64_t value) {
    auto* e = static_cast<uint64_t*>(page);
    for (size_t i = 0; i < 256; ++i) {
        e[2 * i] = PERTURB_LIST_MSR; // bits 31:0 index, 63:32 reserved
        e[2 * i + 1] = value;
    }
}

unsigned perturb_kind_count() {
    return KIND_COUNT;
}

void prepare_perturb_base(VmxState& base, const PerturbEnv& env) {
    VmxControls& c = base.ctl;
    c.exit_msr_store_count = c.exit_msr_load_count = c.entry_msr_load_count = 0;
    c.exit_msr_store_addr = c.exit_msr_load_addr = c.entry_msr_load_addr = env.msr_area;
    c.virtual_apic_page = env.virtual_apic;
    c.apic_access_addr = env.apic_access;
}

void make_perturb_case(const VmxState& base, const VmxCaps& caps, const PerturbEnv& env,
                       uint64_t seed, unsigned index, PerturbCase& out) {
    Rng r{seed ^ (uint64_t{index} * 0xD1B54A32D192ED03ull)};
    const KindRow& k = KINDS[index % KIND_COUNT];
    out.kind = index % KIND_COUNT;
    out.prepared = base;
    Gen prep{out.prepared, caps, env, r};
    if (k.prepare) k.prepare(prep);
    out.state = out.prepared;
    Gen g{out.state, caps, env, r};
    k.change(g);
    out.field = g.field;
    out.value = g.value;
}

} // namespace hv
