#include "hypervisor/core/exit_reason.h"

namespace hv {

// SDM Vol 3D Appendix C, Table C-1 "Basic Exit Reasons".
const char* exit_reason_name(uint16_t basic) {
    switch (static_cast<ExitReason>(basic)) {
// clang-format off
#define R(n) case ExitReason::EXIT_REASON_##n: return #n;
    R(EXCEPTION_NMI)
    R(EXTERNAL_INTERRUPT)
    R(TRIPLE_FAULT)
    R(INIT_SIGNAL)
    R(SIPI_SIGNAL)
    R(IO_SMI)
    R(OTHER_SMI)
    R(INTERRUPT_WINDOW)
    R(NMI_WINDOW)
    R(TASK_SWITCH)
    R(CPUID)
    R(GETSEC)
    R(HLT)
    R(INVD)
    R(INVLPG)
    R(RDPMC)
    R(RDTSC)
    R(RSM)
    R(VMCALL)
    R(VMCLEAR)
    R(VMLAUNCH)
    R(VMPTRLD)
    R(VMPTRST)
    R(VMREAD)
    R(VMRESUME)
    R(VMWRITE)
    R(VMXOFF)
    R(VMXON)
    R(CR_ACCESS)
    R(DR_ACCESS)
    R(IO_INSTRUCTION)
    R(MSR_READ)
    R(MSR_WRITE)
    R(INVALID_STATE)
    R(MSR_LOAD_FAIL)
    R(MWAIT_INSTRUCTION)
    R(MONITOR_TRAP_FLAG)
    R(MONITOR_INSTRUCTION)
    R(PAUSE_INSTRUCTION)
    R(MCE_DURING_VMENTRY)
    R(TPR_BELOW_THRESHOLD)
    R(APIC_ACCESS)
    R(EOI_INDUCED)
    R(GDTR_IDTR)
    R(LDTR_TR)
    R(EPT_VIOLATION)
    R(EPT_MISCONFIG)
    R(INVEPT)
    R(RDTSCP)
    R(PREEMPTION_TIMER)
    R(INVVPID)
    R(WBINVD)
    R(XSETBV)
    R(APIC_WRITE)
    R(RDRAND)
    R(INVPCID)
    R(VMFUNC)
    R(ENCLS)
    R(RDSEED)
    R(PML_FULL)
    R(XSAVES)
    R(XRSTORS)
    R(PCONFIG)
    R(SPP)
    R(UMWAIT)
    R(TPAUSE)
    R(LOADIWKEY)
#undef R
        // clang-format on
    }
    return "UNKNOWN";
}

} // namespace hv
