// VM-entry checker: known-good states pass; single mutations of the controls (SDM 27.2.1) and the
// host state (27.2.2-27.2.4) fail naming exactly the field at fault. Guest-state rows are in
// entry_check_guest_test.cc.
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"

#include <catch2/catch.hpp>
#include <string>

using namespace hv;
using namespace hv::test;
using namespace hv::vmx_bits;
using namespace kern::x86;
using B = Base;

/// A mutation body with the state `s` and capabilities `c` in scope.
#define MUT(...)                                                                                   \
    [](VmxState& s, VmxCaps& c) {                                                                  \
        (void)s;                                                                                   \
        (void)c;                                                                                   \
        __VA_ARGS__;                                                                               \
    }

namespace {

constexpr uint64_t NONCANONICAL = 0x0000800000000000ULL;
constexpr uint64_t BEYOND_MAXPHYADDR = 1ULL << 40;

void require_pass(const VmxState& s, const VmxCaps& caps) {
    EntryCheckFailure f{};
    const auto r = check_vm_entry(s, caps, &f);
    INFO("failed at " << f.field << " (" << f.section << "): " << f.message);
    REQUIRE(r.ok());
    CHECK(std::string(f.field).empty());
}

} // namespace

TEST_CASE("known-good states pass with Bochs skylake_x capabilities") {
    const VmxCaps caps = bochs_skylake_caps();
    SECTION("64-bit long mode") {
        require_pass(good_long_mode(), caps);
    }
    SECTION("32-bit protected mode, PAE under EPT") {
        require_pass(good_protected32(), caps);
    }
    SECTION("real mode, unrestricted guest") {
        require_pass(good_real_mode(), caps);
    }
    SECTION("virtual-8086") {
        require_pass(good_v8086(), caps);
    }
}

TEST_CASE("legal variants pass") {
    const VmxCaps caps = bochs_skylake_caps();
    SECTION("secondary controls are ignored unless activated") {
        VmxState s = good_long_mode();
        s.ctl.proc_based &= ~PROC_ACTIVATE_SECONDARY;
        s.ctl.proc_based2 = 0xffffffff;
        require_pass(s, caps);
    }
    SECTION("#PF with an error code") {
        VmxState s = good_long_mode();
        s.ctl.entry_intr_info = 0x80000b0e;
        s.ctl.entry_exception_error_code = 0x2;
        require_pass(s, caps);
    }
    SECTION("NMI and INT 0x80") {
        VmxState s = good_long_mode();
        s.ctl.entry_intr_info = 0x80000202;
        require_pass(s, caps);
        s.ctl.entry_intr_info = 0x80000480;
        s.ctl.entry_instruction_len = 2;
        require_pass(s, caps);
    }
    SECTION("IA32_VMX_BASIC[56] allows #GP without an error code") {
        VmxCaps relaxed = caps;
        relaxed.basic |= 1ULL << 56;
        VmxState s = good_long_mode();
        s.ctl.entry_intr_info = 0x8000030d;
        require_pass(s, relaxed);
    }
    SECTION("#GP into a real-mode guest has no error code") {
        VmxState s = good_real_mode();
        s.ctl.entry_intr_info = 0x8000030d;
        require_pass(s, caps);
    }
    SECTION("HLT woken by an injected external interrupt") {
        VmxState s = good_protected32();
        s.guest.activity_state = ACTIVITY_HLT;
        require_pass(s, caps);
    }
    SECTION("an AP parked in wait-for-SIPI") {
        VmxState s = good_real_mode();
        s.guest.activity_state = ACTIVITY_WAIT_SIPI;
        require_pass(s, caps);
    }
    SECTION("STI blocking with a pending single step") {
        VmxState s = good_long_mode();
        s.guest.rflags = 0x302;
        s.guest.interruptibility = BLOCKING_BY_STI;
        s.guest.pending_dbg_exceptions = 1ULL << 14;
        require_pass(s, caps);
    }
    SECTION("non-present PDPTEs and PDPTEs without EPT are not checked") {
        VmxState s = good_protected32();
        s.guest.pdpte[1] = 0x1e6;
        require_pass(s, caps);
        s.guest.pdpte[0] = 0x1e7;
        s.ctl.proc_based2 = PROC2_ENABLE_VPID;
        require_pass(s, caps);
    }
    SECTION("a null detail pointer is allowed") {
        VmxState s = good_long_mode();
        s.guest.vmcs_link_pointer = 0;
        CHECK_FALSE(check_vm_entry(s, caps, nullptr).ok());
    }
}

TEST_CASE("control-field mutations name the field (SDM 27.2.1)") {
    static const Mutation rows[] = {
        // 27.2.1.1 VM-execution controls.
        {"pin allowed-0 bit cleared", B::long_mode, MUT(s.ctl.pin_based &= ~2u),
         "PIN_BASED_VM_EXEC_CONTROL"},
        {"posted interrupts not supported", B::long_mode,
         MUT(s.ctl.pin_based |= PIN_POSTED_INTERRUPTS), "PIN_BASED_VM_EXEC_CONTROL"},
        {"preemption timer not supported", B::long_mode,
         MUT(c.true_pinbased_ctls &= ~(uint64_t{PIN_PREEMPTION_TIMER} << 32)),
         "PIN_BASED_VM_EXEC_CONTROL"},
        {"monitor trap flag not supported", B::long_mode,
         MUT(s.ctl.proc_based |= PROC_MONITOR_TRAP_FLAG), "CPU_BASED_VM_EXEC_CONTROL"},
        {"primary allowed-0 bit cleared", B::long_mode, MUT(s.ctl.proc_based &= ~(1u << 26)),
         "CPU_BASED_VM_EXEC_CONTROL"},
        {"secondary bit not supported", B::long_mode, MUT(s.ctl.proc_based2 |= 1u << 25),
         "SECONDARY_VM_EXEC_CONTROL"},
        {"five CR3 targets", B::long_mode, MUT(s.ctl.cr3_target_count = 5), "CR3_TARGET_COUNT"},
        {"I/O bitmap A misaligned", B::long_mode, MUT(s.ctl.io_bitmap_a |= 0x800), "IO_BITMAP_A"},
        {"I/O bitmap B beyond MAXPHYADDR", B::long_mode, MUT(s.ctl.io_bitmap_b = BEYOND_MAXPHYADDR),
         "IO_BITMAP_B"},
        {"MSR bitmap misaligned", B::long_mode, MUT(s.ctl.msr_bitmap += 8), "MSR_BITMAP"},
        {"virtual-APIC page misaligned", B::long_mode, MUT(s.ctl.virtual_apic_page += 0x10),
         "VIRTUAL_APIC_PAGE_ADDR"},
        {"TPR threshold bit 4", B::long_mode, MUT(s.ctl.tpr_threshold = 0x10), "TPR_THRESHOLD"},
        {"x2APIC virtualization without TPR shadow", B::protected32,
         MUT(s.ctl.proc_based2 |= PROC2_VIRTUALIZE_X2APIC), "SECONDARY_VM_EXEC_CONTROL"},
        {"virtual NMIs without NMI exiting", B::long_mode, MUT(s.ctl.pin_based &= ~PIN_NMI_EXITING),
         "PIN_BASED_VM_EXEC_CONTROL"},
        {"NMI-window exiting without virtual NMIs", B::long_mode,
         MUT(s.ctl.pin_based &= ~PIN_VIRTUAL_NMIS; s.ctl.proc_based |= PROC_NMI_WINDOW_EXITING),
         "CPU_BASED_VM_EXEC_CONTROL"},
        {"APIC-access page misaligned", B::long_mode,
         MUT(s.ctl.proc_based2 |= PROC2_VIRTUALIZE_APIC_ACCESSES;
             s.ctl.apic_access_addr = 0x305004),
         "APIC_ACCESS_ADDR"},
        {"x2APIC mode and APIC accesses together", B::long_mode,
         MUT(s.ctl.proc_based2 |= PROC2_VIRTUALIZE_X2APIC | PROC2_VIRTUALIZE_APIC_ACCESSES;
             s.ctl.apic_access_addr = 0x305000),
         "SECONDARY_VM_EXEC_CONTROL"},
        {"virtual-interrupt delivery without external-interrupt exiting", B::long_mode,
         MUT(s.ctl.proc_based2 |= PROC2_VIRTUAL_INTR_DELIVERY), "PIN_BASED_VM_EXEC_CONTROL"},
        {"VPID 0", B::long_mode, MUT(s.ctl.vpid = 0), "VIRTUAL_PROCESSOR_ID"},
        {"EPTP memory type WC", B::long_mode,
         MUT(s.ctl.ept_pointer = (s.ctl.ept_pointer & ~7ULL) | 1), "EPT_POINTER"},
        {"EPTP WB not supported", B::long_mode, MUT(c.ept_vpid_cap &= ~(1ULL << 14)),
         "EPT_POINTER"},
        {"EPTP 2-level walk", B::long_mode,
         MUT(s.ctl.ept_pointer = (s.ctl.ept_pointer & ~0x38ULL) | (1 << 3)), "EPT_POINTER"},
        {"EPTP A/D not supported", B::real_mode, MUT(c.ept_vpid_cap &= ~(1ULL << 21)),
         "EPT_POINTER"},
        {"EPTP reserved bit 7", B::long_mode, MUT(s.ctl.ept_pointer |= 0x80), "EPT_POINTER"},
        {"EPTP beyond MAXPHYADDR", B::long_mode, MUT(s.ctl.ept_pointer |= BEYOND_MAXPHYADDR),
         "EPT_POINTER"},
        {"unrestricted guest without EPT", B::real_mode,
         MUT(s.ctl.proc_based2 &= ~PROC2_ENABLE_EPT), "SECONDARY_VM_EXEC_CONTROL"},
        {"VMCS shadowing", B::long_mode, MUT(s.ctl.proc_based2 |= PROC2_VMCS_SHADOWING),
         "SECONDARY_VM_EXEC_CONTROL"},
        // 27.2.1.2 VM-exit controls.
        {"save preemption timer without the timer", B::long_mode,
         MUT(s.ctl.pin_based &= ~PIN_PREEMPTION_TIMER), "VM_EXIT_CONTROLS"},
        {"exit allowed-0 bit cleared", B::long_mode, MUT(s.ctl.exit &= ~1u), "VM_EXIT_CONTROLS"},
        {"exit MSR-store list misaligned", B::long_mode,
         MUT(s.ctl.exit_msr_store_count = 1; s.ctl.exit_msr_store_addr = 0x306008),
         "VM_EXIT_MSR_STORE_ADDR"},
        {"exit MSR-load list ends beyond MAXPHYADDR", B::long_mode,
         MUT(s.ctl.exit_msr_load_count = 2; s.ctl.exit_msr_load_addr = BEYOND_MAXPHYADDR - 16),
         "VM_EXIT_MSR_LOAD_ADDR"},
        // 27.2.1.3 VM-entry controls and event injection.
        {"entry allowed-0 bit cleared", B::long_mode, MUT(s.ctl.entry &= ~1u), "VM_ENTRY_CONTROLS"},
        {"entry to SMM", B::long_mode, MUT(s.ctl.entry |= ENTRY_TO_SMM), "VM_ENTRY_CONTROLS"},
        {"entry MSR-load list misaligned", B::long_mode, MUT(s.ctl.entry_msr_load_addr += 4),
         "VM_ENTRY_MSR_LOAD_ADDR"},
        {"reserved interruption type 1", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000120),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"other event without MTF support", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000700),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"NMI with vector 3", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000203),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"hardware exception vector 32", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000320),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"#GP without its error code", B::long_mode, MUT(s.ctl.entry_intr_info = 0x8000030d),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"#BP with an error code", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000b03),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"#GP error code into a real-mode guest", B::real_mode,
         MUT(s.ctl.entry_intr_info = 0x80000b0d), "VM_ENTRY_INTR_INFO_FIELD"},
        {"interruption info bit 12", B::protected32, MUT(s.ctl.entry_intr_info |= 1u << 12),
         "VM_ENTRY_INTR_INFO_FIELD"},
        {"error code bit 16", B::long_mode,
         MUT(s.ctl.entry_intr_info = 0x80000b0d; s.ctl.entry_exception_error_code = 0x10000),
         "VM_ENTRY_EXCEPTION_ERROR_CODE"},
        {"INT n with length 0", B::long_mode, MUT(s.ctl.entry_intr_info = 0x80000480),
         "VM_ENTRY_INSTRUCTION_LEN"},
        {"INT3 with length 16", B::long_mode,
         MUT(s.ctl.entry_intr_info = 0x80000603; s.ctl.entry_instruction_len = 16),
         "VM_ENTRY_INSTRUCTION_LEN"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}

TEST_CASE("host-state mutations name the field (SDM 27.2.2-27.2.4)") {
    static const Mutation rows[] = {
        {"host address-space size cleared", B::long_mode,
         MUT(s.ctl.exit &= ~EXIT_HOST_ADDR_SPACE_SIZE), "VM_EXIT_CONTROLS"},
        {"host CR4.PAE cleared", B::long_mode, MUT(s.host.cr4 &= ~CR4_PAE), "HOST_CR4"},
        {"host RIP non-canonical", B::long_mode, MUT(s.host.rip = 0x8000000000000000ULL),
         "HOST_RIP"},
        {"host CR0.PE cleared", B::long_mode, MUT(s.host.cr0 &= ~CR0_PE), "HOST_CR0"},
        {"host CR0.NE cleared", B::long_mode, MUT(s.host.cr0 &= ~(1ULL << 5)), "HOST_CR0"},
        {"host CR4.VMXE cleared", B::long_mode, MUT(s.host.cr4 &= ~0x2000ULL), "HOST_CR4"},
        {"host CR4.PKE not in FIXED1", B::long_mode, MUT(s.host.cr4 |= 1ULL << 22), "HOST_CR4"},
        {"host CR3 beyond MAXPHYADDR", B::long_mode, MUT(s.host.cr3 |= BEYOND_MAXPHYADDR),
         "HOST_CR3"},
        {"host SYSENTER_EIP non-canonical", B::long_mode, MUT(s.host.sysenter_eip = NONCANONICAL),
         "HOST_IA32_SYSENTER_EIP"},
        {"host PAT type 2", B::long_mode,
         MUT(s.host.pat = (s.host.pat & ~(0xffULL << 16)) | (2ULL << 16)), "HOST_IA32_PAT"},
        {"host EFER reserved bit", B::long_mode, MUT(s.host.efer |= 2), "HOST_IA32_EFER"},
        {"host EFER.LMA cleared", B::long_mode, MUT(s.host.efer &= ~IA32_EFER_LMA),
         "HOST_IA32_EFER"},
        {"host DS RPL 3", B::long_mode, MUT(s.host.ds_selector = 0x13), "HOST_DS_SELECTOR"},
        {"host TR TI set", B::long_mode, MUT(s.host.tr_selector = 0x2c), "HOST_TR_SELECTOR"},
        {"host CS 0", B::long_mode, MUT(s.host.cs_selector = 0), "HOST_CS_SELECTOR"},
        {"host TR 0", B::long_mode, MUT(s.host.tr_selector = 0), "HOST_TR_SELECTOR"},
        {"host GS base non-canonical", B::long_mode, MUT(s.host.gs_base = NONCANONICAL),
         "HOST_GS_BASE"},
        {"host GDTR base non-canonical", B::long_mode, MUT(s.host.gdtr_base = NONCANONICAL),
         "HOST_GDTR_BASE"},
        {"host TR base non-canonical", B::real_mode, MUT(s.host.tr_base = NONCANONICAL),
         "HOST_TR_BASE"},
    };
    run_mutation_table(rows, sizeof rows / sizeof rows[0]);
}
