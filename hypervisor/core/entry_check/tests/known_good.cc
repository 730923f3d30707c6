#include "hypervisor/core/entry_check/tests/known_good.h"

#include <catch2/catch.hpp>
#include <string>

namespace hv::test {

using namespace vmx_bits;
using namespace kern::x86;

VmxCaps bochs_skylake_caps() {
    VmxCaps c{};
    c.basic = 0xd810000000002bULL; // revision 0x2b, 4 KiB VMCS, WB, TRUE MSRs (bit 55)
    c.true_pinbased_ctls = 0x0000007f00000016ULL;  // default-1 bits 1, 2, 4; no posted interrupts
    c.true_procbased_ctls = 0xf7f9fffe04006172ULL; // CR3-load/store exiting may be 0; no MTF
    c.true_exit_ctls = 0x007fffff00036dfbULL;      // "save debug controls" may be 0
    c.true_entry_ctls = 0x0000ffff000011fbULL;     // "load debug controls" may be 0
    c.procbased_ctls2 = 0x00117fff00000000ULL;     // bits 0-14, 16 (RDSEED), 20 (XSAVES)
    c.cr0_fixed0 = 0x80000021;                     // PG, NE, PE
    c.cr0_fixed1 = 0xffffffff;
    c.cr4_fixed0 = 0x2000;             // VMXE
    c.cr4_fixed1 = 0x3727ff;           // bits 10:0, VMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP
    c.ept_vpid_cap = 0xf0106334141ULL; // 4-level, UC+WB, 2M/1G pages, A/D, INVEPT/INVVPID
    c.misc = 0x401e0;                  // rate 0, LMA store, HLT/shutdown/SIPI, 4 CR3 targets
    c.max_phys_addr = 40;
    c.linear_addr_bits = 48;
    return c;
}

namespace {

/// A plausible 64-bit host: higher-half kernel, flat GDT (CS 0x08, SS/DS/ES 0x10, TR 0x28),
/// and the controls every state shares (NMI exiting with virtual NMIs, preemption timer,
/// I/O and MSR bitmaps, EFER/PAT switching, one VM-entry MSR-load entry).
VmxState base_state() {
    VmxState s{};
    VmxControls& c = s.ctl;
    c.pin_based = 0x16 | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER;
    c.proc_based = 0x04006172 | PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
                   PROC_ACTIVATE_SECONDARY;
    c.proc_based2 = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID;
    c.exit = 0x36dfb | EXIT_HOST_ADDR_SPACE_SIZE | (1u << 15) /* ack interrupt on exit */ |
             (1u << 18) /* save PAT */ | EXIT_LOAD_IA32_PAT | (1u << 20) /* save EFER */ |
             EXIT_LOAD_IA32_EFER | EXIT_SAVE_PREEMPTION_TIMER;
    c.entry = 0x11fb;
    c.io_bitmap_a = 0x300000;
    c.io_bitmap_b = 0x301000;
    c.msr_bitmap = 0x302000;
    c.ept_pointer = 0x400000 | 6 | (3 << 3) | (1 << 6); // WB, 4-level, A/D
    c.vpid = 1;
    c.entry_msr_load_count = 1;
    c.entry_msr_load_addr = 0x304000;
    c.preemption_timer = 100000;

    VmxHostState& h = s.host;
    h.cr0 = 0x80050033; // PG AM WP NE ET MP PE
    h.cr3 = 0x200000;
    h.cr4 = 0x26a0; // VMXE OSXMMEXCPT OSFXSR PGE PAE
    h.cs_selector = 0x08;
    h.ss_selector = h.ds_selector = h.es_selector = 0x10;
    h.tr_selector = 0x28;
    h.gs_base = 0xffffffff80300000ULL;
    h.tr_base = 0xffffffff80100000ULL;
    h.gdtr_base = 0xffffffff80101000ULL;
    h.idtr_base = 0xffffffff80102000ULL;
    h.efer = 0xd01; // NXE LMA LME SCE
    h.pat = 0x0007040600070406ULL;
    h.rsp = 0xffffffff80400000ULL;
    h.rip = 0xffffffff80200000ULL;

    s.guest.dr7 = 0x400;
    s.guest.rflags = 0x2;
    s.guest.pat = 0x0007040600070406ULL;
    s.guest.vmcs_link_pointer = ~0ULL;
    s.guest.ldtr = Segment{0, 0, 0, AR_UNUSABLE};
    return s;
}

} // namespace

VmxState good_long_mode() {
    VmxState s = base_state();
    s.ctl.proc_based |= PROC_USE_TPR_SHADOW;
    s.ctl.virtual_apic_page = 0x303000;
    s.ctl.entry |= ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_PAT |
                   ENTRY_LOAD_IA32_EFER;
    VmxGuestState& g = s.guest;
    g.cr0 = 0x80010031; // PG WP NE ET PE
    g.cr3 = 0x1000;
    g.cr4 = 0x2620; // VMXE OSXMMEXCPT OSFXSR PAE
    g.rip = 0x1000200;
    g.cs = Segment{0x10, 0, 0xffffffff, 0xa09b}; // G L P S type 11
    g.ss = g.ds = g.es = Segment{0x18, 0, 0xffffffff, 0xc093};
    g.fs = g.gs = Segment{0, 0, 0, AR_UNUSABLE};
    g.tr = Segment{0x20, 0x3000, 0x67, 0x8b}; // busy 64-bit TSS
    g.gdtr_base = 0x2000;
    g.gdtr_limit = 0x27;
    g.efer = 0x500; // LMA LME
    return s;
}

VmxState good_protected32() {
    VmxState s = base_state();
    s.ctl.entry_intr_info = INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT) | 0x20;
    VmxGuestState& g = s.guest;
    g.cr0 = 0x80010031;
    g.cr3 = 0x5000;
    g.cr4 = 0x2020; // VMXE PAE
    g.rip = 0x100000;
    g.rflags = 0x202;                            // IF: an external interrupt is being injected
    g.cs = Segment{0x08, 0, 0xffffffff, 0xc09b}; // G D P S type 11
    g.ss = g.ds = g.es = g.fs = g.gs = Segment{0x10, 0, 0xffffffff, 0xc093};
    g.tr = Segment{0x18, 0x1000, 0x67, 0x8b};   // busy 32-bit TSS
    g.ldtr = Segment{0x20, 0x2000, 0xff, 0x82}; // an LDT, usable
    g.gdtr_base = 0x800;
    g.gdtr_limit = 0x27;
    g.idtr_limit = 0x7ff;
    g.pdpte[0] = 0x6001;
    g.pdpte[1] = 0x7001;
    g.pdpte[2] = 0x8001;
    g.pdpte[3] = 0x9001;
    return s;
}

VmxState good_real_mode() {
    VmxState s = base_state();
    s.ctl.proc_based2 |= PROC2_UNRESTRICTED_GUEST;
    s.ctl.entry |= ENTRY_LOAD_IA32_EFER; // EFER = 0
    VmxGuestState& g = s.guest;
    g.cr0 = 0x30; // NE ET: PE = PG = 0 is legal only with unrestricted guest
    g.cr4 = 0x2000;
    g.rip = 0xfff0;
    g.cs = Segment{0xf000, 0xf0000, 0xffff, 0x9b};
    g.ss = g.ds = g.es = g.fs = g.gs = Segment{0, 0, 0xffff, 0x93};
    g.tr = Segment{0, 0, 0xffff, 0x8b};
    g.gdtr_limit = 0xffff;
    g.idtr_limit = 0x3ff;
    return s;
}

VmxState good_v8086() {
    VmxState s = good_protected32();
    VmxGuestState& g = s.guest;
    g.rflags |= RFLAGS_VM;
    g.rip = 0x100;
    g.cs = Segment{0x1000, 0x10000, 0xffff, 0xf3};
    g.ss = g.ds = g.es = g.fs = g.gs = Segment{0x2000, 0x20000, 0xffff, 0xf3};
    return s;
}

VmxState make_base(Base b) {
    switch (b) {
    case Base::long_mode:
        return good_long_mode();
    case Base::protected32:
        return good_protected32();
    case Base::real_mode:
        return good_real_mode();
    case Base::v8086:
        return good_v8086();
    }
    return good_long_mode();
}

void run_mutation_table(const Mutation* rows, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        const Mutation& m = rows[i];
        DYNAMIC_SECTION(m.name) {
            VmxState s = make_base(m.base);
            VmxCaps caps = bochs_skylake_caps();
            EntryCheckFailure before{};
            const auto ok = check_vm_entry(s, caps, &before);
            INFO("base state fails before the mutation at " << before.field << ": "
                                                            << before.message);
            REQUIRE(ok.ok());

            m.mutate(s, caps);
            EntryCheckFailure detail{};
            const auto r = check_vm_entry(s, caps, &detail);
            INFO("reported " << detail.field << " (" << detail.section << "): " << detail.message);
            REQUIRE_FALSE(r.ok());
            CHECK(std::string(detail.field) == m.field);
            CHECK(r.error().code == kern::Errc::invalid_argument);
            CHECK(std::string(r.error().what) == detail.message);
            CHECK(std::string(detail.section).rfind("SDM Vol 3C 27.", 0) == 0);
        }
    }
}

} // namespace hv::test
