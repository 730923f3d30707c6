// In-kernel tests of the one run loop (run_loop.h) that need a real VMCS: a VMX instruction
// that fails inside a policy's hook ends that vCPU with a named failure, and the master goes
// on. `test=hv` on the kernel command line runs them (make test: step guests-contained).
#include "console/console.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/hypervisor.h"
#include "hypervisor/run_loop.h"
#include "hypervisor/vm_host.h"
#include "test/ktest.h"

using namespace hv;

namespace {

/// A vCPU that is never entered: a valid 64-bit state (the entry checker accepts it) without
/// RAM behind it, enough to have a current VMCS to fail on.
kern::Result<void> load_idle_vcpu(Vcpu& v) {
    if (!vmx_enabled()) TRY_VOID(vmx_enable_cpu());
    GuestControlRequest req;
    req.use_ept = false;
    req.long_mode = true;
    VmxCaps caps = caps_of(vmx_msrs());
    VmxState s{};
    capture_host_state(s.host);
    TRY_VOID(choose_controls(caps, req, s.ctl));
    long_mode_guest(s.guest, caps, 0x1000, 0x10000, 0x20000);
    own_fixed_cr_bits(s.ctl, s.guest, caps);
    return v.load(s, caps);
}

/// A VMCS field encoding no CPU defines.
constexpr uint32_t NO_SUCH_FIELD = 0x7FFE;

/// A policy whose hook does one bad VMCS access before the first entry.
struct BadAccessPolicy {
    static constexpr bool INTERRUPTS_BETWEEN_EXITS = true;
    bool write = true; ///< a VMWRITE, else a VMREAD, of a field that does not exist
    unsigned entries_asked = 0;
    RunStep before_entry(Vcpu& v) {
        ++entries_asked;
        // 0x7FFE encodes no field (SDM Vol 3C Appendix B): VMfailValid, error 12. (A read-only
        // field would not do: CPUs with IA32_VMX_MISC bit 29, Bochs' among them, accept the
        // write.)
        if (write)
            v.real().write_raw(NO_SUCH_FIELD, 0);
        else
            (void)v.real().read_raw(NO_SUCH_FIELD);
        return RunStep::resume;
    }
    void after_exit(Vcpu&) {}
    RunStep on_exit(Vcpu&) { return RunStep::leave; }
    void between_exits(Vcpu&) {}
};

void bad_access_ends_the_vcpu(kern::KTestContext& t, bool write) {
    if (!hypervisor_available()) {
        t.fail("no guests: %s", hypervisor_unavailable_why());
        return;
    }
    GuestOutcome out;
    Vcpu v(write ? "bad-vmwrite" : "bad-vmread", out);
    if (auto r = load_idle_vcpu(v); !r.ok()) {
        t.fail("loading the vCPU: %s", r.error().what);
        return;
    }
    BadAccessPolicy p;
    p.write = write;
    run_vcpu(v, p);
    KCHECK(p.entries_asked == 1);
    KCHECK(!v.launched()); // it never entered the guest with a state it could not write
    KCHECK(out.end == GuestEnd::vmcs_failed);
    KCHECK(out.detail == NO_SUCH_FIELD);
    KCHECK(out.total_exits == 0);
}

} // namespace

KTEST(hv, run_loop_ends_a_vcpu_whose_vmwrite_fails) {
    bad_access_ends_the_vcpu(t, true);
}

KTEST(hv, run_loop_ends_a_vcpu_whose_vmread_fails) {
    bad_access_ends_the_vcpu(t, false);
}
