#include "core/arch/msr.h"
#include "hypervisor/core/vmx_bits.h"
#include "hypervisor/core/vmx_controls.h"
#include "hypervisor/core/vmx_on.h"

namespace hv {

void read_vmx_msrs(VmxOps& cpu, VmxMsrs& m) {
    using namespace kern::x86;
    m.basic = cpu.rdmsr(IA32_VMX_BASIC);
    bool true_ctls = VmxBasic{m.basic}.true_controls(); // SDM A.1: the TRUE_* MSRs exist
    m.pinbased = cpu.rdmsr(control_capability_msr(ControlClass::PIN_BASED, true_ctls));
    m.procbased = cpu.rdmsr(control_capability_msr(ControlClass::PRIMARY_PROC_BASED, true_ctls));
    m.exit = cpu.rdmsr(control_capability_msr(ControlClass::VM_EXIT, true_ctls));
    m.entry = cpu.rdmsr(control_capability_msr(ControlClass::VM_ENTRY, true_ctls));
    m.misc = cpu.rdmsr(IA32_VMX_MISC);
    m.cr0_fixed0 = cpu.rdmsr(IA32_VMX_CR0_FIXED0);
    m.cr0_fixed1 = cpu.rdmsr(IA32_VMX_CR0_FIXED1);
    m.cr4_fixed0 = cpu.rdmsr(IA32_VMX_CR4_FIXED0);
    m.cr4_fixed1 = cpu.rdmsr(IA32_VMX_CR4_FIXED1);
    // Secondary controls exist if "activate secondary controls" may be 1 (allowed-1 half, A.3.2).
    bool secondary = ((m.procbased >> 32) & vmx_bits::PROC_ACTIVATE_SECONDARY) != 0;
    m.procbased2 = secondary ? cpu.rdmsr(IA32_VMX_PROCBASED_CTLS2) : 0;
    m.ept_vpid = secondary ? cpu.rdmsr(IA32_VMX_EPT_VPID_CAP) : 0;
    m.maxphyaddr = cpu.cpuid(0x80000008, 0).eax & 0xFF; // CPUID.80000008H:EAX[7:0]
}

} // namespace hv
