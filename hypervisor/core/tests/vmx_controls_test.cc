// Infrastructure: VMX capability arithmetic (the MSR choice, the CR fixed bits, the MSRs'
// fields) against Bochs' skylake_x MSRs and made-up ones.
#include "hypervisor/core/vmx_controls.h"

#include <catch2/catch.hpp>
#include <string>

using namespace hv;

// Bochs 2.7 corei7_skylake_x, read with RDMSR in the emulator.
static constexpr uint64_t BOCHS_VMX_BASIC = 0xd810000000002bull;
static constexpr uint64_t BOCHS_EPT_VPID_CAP = 0xf0106334141ull;
static constexpr uint64_t BOCHS_CR0_FIXED0 = 0x80000021;
static constexpr uint64_t BOCHS_CR4_FIXED0 = 0x2000;

// check_controls() and adjust_controls() are lab 5's (step 2): tests/vmcs_setup_test.cc.

TEST_CASE("vmx: capability MSR choice honours the TRUE_ controls (SDM A.2)", "[infra]") {
    CHECK(control_capability_msr(ControlClass::PIN_BASED, true) == 0x48d);
    CHECK(control_capability_msr(ControlClass::PIN_BASED, false) == 0x481);
    CHECK(control_capability_msr(ControlClass::PRIMARY_PROC_BASED, true) == 0x48e);
    CHECK(control_capability_msr(ControlClass::VM_EXIT, true) == 0x48f);
    CHECK(control_capability_msr(ControlClass::VM_ENTRY, false) == 0x484);
    // There is no TRUE_ MSR for the secondary controls.
    CHECK(control_capability_msr(ControlClass::SECONDARY_PROC_BASED, true) == 0x48b);
}

TEST_CASE("vmx: CR0/CR4 fixed bits (SDM A.7, A.8)", "[infra]") {
    uint64_t cr0_fixed1 = 0xffffffff;
    // GRUB leaves CR0.NE (bit 5) clear: VMXON would fail until it is set.
    uint64_t grub_cr0 = 0x80000011; // PG | ET | PE
    CHECK(cr_fixed_violations(grub_cr0, BOCHS_CR0_FIXED0, cr0_fixed1) == 0x20);
    CHECK(adjust_cr(grub_cr0, BOCHS_CR0_FIXED0, cr0_fixed1) == 0x80000031);
    CHECK(cr_fixed_violations(0x80000031, BOCHS_CR0_FIXED0, cr0_fixed1) == 0);
    // CR4: VMXE (bit 13) must be 1; a made-up FIXED1 without PKE (bit 22).
    uint64_t cr4_fixed1 = 0x372fff;
    uint64_t cr4 = 0x400020; // PKE | PAE
    CHECK(cr_fixed_violations(cr4, BOCHS_CR4_FIXED0, cr4_fixed1) == 0x402000);
    CHECK(adjust_cr(cr4, BOCHS_CR4_FIXED0, cr4_fixed1) == 0x2020);
}

TEST_CASE("vmx: IA32_VMX_BASIC of Bochs skylake_x (SDM A.1)", "[infra]") {
    VmxBasic b{BOCHS_VMX_BASIC};
    CHECK(b.revision_id() == 0x2b);
    CHECK(b.vmcs_size() == 4096);
    CHECK(b.memory_type() == VmxMemoryType::WB);
    CHECK(b.true_controls());
    CHECK(b.ins_outs_info());
    CHECK_FALSE(b.address_width_32());
    CHECK_FALSE(b.dual_monitor());
    CHECK_FALSE(b.any_exception_error_code());
    CHECK(VmxBasic{0x80000001ull}.revision_id() == 1); // bit 31 is not part of the id
}

TEST_CASE("vmx: IA32_VMX_MISC (SDM A.6)", "[infra]") {
    CHECK(VmxMisc{0}.preemption_timer_rate() == 0); // Bochs: the timer ticks with the TSC
    // Made up: rate 5, LMA stored, HLT/shutdown/wait-for-SIPI, 4 CR3 targets, N = 1,
    // VMWRITE to any field, MSEG revision 1.
    VmxMisc m{0x00000001220401e5ull};
    CHECK(m.preemption_timer_rate() == 5);
    CHECK(m.stores_lma());
    CHECK(m.activity_hlt());
    CHECK(m.activity_shutdown());
    CHECK(m.activity_wait_for_sipi());
    CHECK(m.cr3_target_count() == 4);
    CHECK(m.max_msr_list_entries() == 1024);
    CHECK(m.vmwrite_any_field());
    CHECK_FALSE(m.inject_zero_length());
    CHECK(m.mseg_revision_id() == 1);
}

TEST_CASE("vmx: IA32_VMX_EPT_VPID_CAP of Bochs skylake_x (SDM A.10)", "[infra]") {
    EptVpidCap c{BOCHS_EPT_VPID_CAP};
    CHECK(c.execute_only());
    CHECK(c.walk_length_4());
    CHECK_FALSE(c.walk_length_5());
    CHECK(c.memory_type_uc());
    CHECK(c.memory_type_wb());
    CHECK(c.pages_2m());
    CHECK(c.pages_1g());
    CHECK(c.invept());
    CHECK(c.accessed_dirty());
    CHECK_FALSE(c.advanced_exit_info());
    CHECK(c.invept_single_context());
    CHECK(c.invept_all_context());
    CHECK(c.invvpid());
    CHECK(c.invvpid_individual_address());
    CHECK(c.invvpid_single_context());
    CHECK(c.invvpid_all_context());
    CHECK(c.invvpid_single_context_retaining_globals());
}
