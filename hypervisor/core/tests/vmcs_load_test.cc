// Infrastructure: write_vmx_state() puts every field of a known-good VmxState into the VMCS
// (a FakeVmcs), so that the VM-entry checker judged exactly what the CPU will see.
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/tests/known_good.h"
#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/vmcs_load.h"

#include <catch2/catch.hpp>

using namespace hv;
using namespace hv::test;

TEST_CASE("write_vmx_state puts every field where VMREAD finds it") {
    VmxState s = good_real_mode();
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK(fake.refused_count() == 0);
    CHECK(v.read(GUEST_RIP) == s.guest.rip);
    CHECK(v.read(GUEST_CS_AR_BYTES) == s.guest.cs.access_rights);
    CHECK(v.read(EPT_POINTER) == s.ctl.ept_pointer);
    CHECK(v.read(VMCS_LINK_POINTER) == ~0ull);
    CHECK(v.read(PIN_BASED_VM_EXEC_CONTROL) == s.ctl.pin_based);
}

TEST_CASE("write_vmx_state writes the MSR lists, APIC pages, TPR threshold and PDPTEs") {
    // Every field the checker judges must reach the VMCS, or it judged values the CPU never saw.
    VmxState s = good_protected32(); // EPT on, PAE paging: the PDPTEs come from the VMCS
    s.ctl.exit_msr_store_count = 1;
    s.ctl.exit_msr_store_addr = 0x305000;
    s.ctl.exit_msr_load_count = 2;
    s.ctl.exit_msr_load_addr = 0x306010;
    s.ctl.entry_msr_load_addr = 0x307020;
    s.ctl.virtual_apic_page = 0x308000;
    s.ctl.tpr_threshold = 7;
    s.ctl.apic_access_addr = 0x309000;
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK(fake.refused_count() == 0);
    CHECK(v.read(VM_EXIT_MSR_STORE_ADDR) == 0x305000);
    CHECK(v.read(VM_EXIT_MSR_LOAD_ADDR) == 0x306010);
    CHECK(v.read(VM_ENTRY_MSR_LOAD_ADDR) == 0x307020);
    CHECK(v.read(VM_ENTRY_MSR_LOAD_COUNT) == s.ctl.entry_msr_load_count);
    CHECK(v.read(VIRTUAL_APIC_PAGE_ADDR) == 0x308000);
    CHECK(v.read(TPR_THRESHOLD) == 7);
    CHECK(v.read(APIC_ACCESS_ADDR) == 0x309000);
    CHECK(v.read(GUEST_PDPTR0) == s.guest.pdpte[0]);
    CHECK(v.read(GUEST_PDPTR3) == s.guest.pdpte[3]);
}

TEST_CASE("write_vmx_state leaves feature-only fields alone when unused and zero") {
    // A CPU without "virtualize APIC accesses" or EPT has no such fields: a VMWRITE would fail.
    VmxState s = good_long_mode();
    s.ctl.proc_based2 = 0;
    s.ctl.apic_access_addr = 0;
    FakeVmcs fake;
    Vmcs<FakeVmcs> v(fake);
    write_vmx_state(v, s);
    CHECK_FALSE(fake.was_written(APIC_ACCESS_ADDR.encoding));
    CHECK_FALSE(fake.was_written(GUEST_PDPTR0.encoding));
}
