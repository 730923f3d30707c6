// The hypervisor's entry into the master: a late-init hook (kernel/hooks.h) that turns VMX on
// and, when the machine cannot do VMX, says exactly why and lets the master go on without
// guests.
#include "hypervisor/hypervisor.h"

#include "console/console.h"
#include "hooks.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "test/report.h"

namespace hv {

namespace {
/// Set once VMX is on for the boot CPU; read by hypervisor_available().
bool g_available = false;
/// What vmx_enable_cpu() said when it failed.
const char* g_why = "the hypervisor's late-init hook has not run";

/// The late-init hook: VMXON on the boot CPU, or a message saying why guests cannot run.
void hv_init() {
    auto r = vmx_enable_cpu();
    if (!r.ok()) {
        g_why = r.error().what;
        kern::kprintf("hypervisor: no guests on this machine: %s\n", r.error().what);
        kern::report_line("hypervisor vmx=unavailable");
        return;
    }
    const VmxMsrs& m = vmx_msrs();
    kern::kprintf(
        "hypervisor: VMX on (VMCS revision %#lx, EPT/VPID caps %#lx, secondary controls %#lx)\n",
        m.basic & 0x7FFFFFFF, m.ept_vpid, m.procbased2 >> 32);
    kern::report_line("hypervisor vmx=on");
    g_available = true;
}
} // namespace

KERNEL_LATE_INIT(hypervisor, 10, hv_init);

bool hypervisor_available() {
    return g_available;
}

const char* hypervisor_unavailable_why() {
    return g_available ? "" : g_why;
}

} // namespace hv
