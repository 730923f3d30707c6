#include "hypervisor/run_loop.h"

#include "console/console.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/vm_instruction_error.h"
#include "hypervisor/vm_host.h"

namespace hv::run_loop {

bool make_current(Vcpu& v) {
    if (vmx_check(vmx::vmptrld(v.vmcs_phys()), "VMPTRLD", v.name())) return true;
    v.out().end = GuestEnd::vmcs_failed;
    v.out().detail = v.vmcs_phys();
    return false;
}

void vmcs_failed(Vcpu& v) {
    uint32_t field = v.real().failed_encoding();
    uint64_t error = 0;
    bool valid = vmx::vmread(VM_INSTRUCTION_ERROR.encoding, &error);
    kern::kprintf("%s: %s of %s (%#x) failed: %s; the guest is stopped\n", v.name(),
                  v.real().failed_write() ? "VMWRITE" : "VMREAD", vmcs_field_name(field), field,
                  valid ? vm_instruction_error_text(uint32_t(error)) : "no current VMCS");
    v.out().end = GuestEnd::vmcs_failed;
    v.out().detail = field;
    dump_guest_state(v.vmcs(), v.regs(), v.name());
}

void entry_failed(Vcpu& v, int rc) {
    v.out().end = GuestEnd::entry_failed;
    if (v.quiet()) {
        uint64_t error = 0;
        if (rc == int(EntryResult::fail_valid) &&
            !vmx::vmread(VM_INSTRUCTION_ERROR.encoding, &error))
            error = 0;
        v.out().detail = error;
        return;
    }
    v.out().detail = report_entry_failure(rc, v.launched(), v.real(), v.name());
}

void finish(Vcpu& v) {
    // Interrupts are still off: the VMCS is still the current one unless VMPTRLD failed.
    if (vmx::vmptrst() == v.vmcs_phys()) v.out().guest_rip = v.vmcs().read(GUEST_RIP);
    v.fpu().leave();
    v.out().fpu_saves = v.fpu().saves();
    v.out().fpu_restores = v.fpu().restores();
}

} // namespace hv::run_loop
