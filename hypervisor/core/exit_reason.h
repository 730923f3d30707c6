// VM-exit reasons: the basic exit reasons of SDM Vol 3D Appendix C "VMX Basic Exit Reasons"
// (Table C-1) with Linux KVM's names, and a decoder for the VM_EXIT_REASON field (SDM Vol 3C
// 25.9.1 "Basic VM-Exit Information", "Format of Exit Reason").
#pragma once

#include <stdint.h>

namespace hv {

/// A basic exit reason (bits 15:0 of VM_EXIT_REASON). 35, 38 and 42 are unused by the SDM.
enum class ExitReason : uint16_t {
    EXIT_REASON_EXCEPTION_NMI = 0,        ///< exception or NMI (VM_EXIT_INTR_INFO says which)
    EXIT_REASON_EXTERNAL_INTERRUPT = 1,   ///< external interrupt, with external-interrupt exiting
    EXIT_REASON_TRIPLE_FAULT = 2,         ///< the guest triple-faulted
    EXIT_REASON_INIT_SIGNAL = 3,          ///< INIT signal arrived
    EXIT_REASON_SIPI_SIGNAL = 4,          ///< start-up IPI in wait-for-SIPI state
    EXIT_REASON_IO_SMI = 5,               ///< SMI after an I/O instruction (dual-monitor SMM)
    EXIT_REASON_OTHER_SMI = 6,            ///< other SMI (dual-monitor SMM)
    EXIT_REASON_INTERRUPT_WINDOW = 7,     ///< guest can take interrupts (interrupt-window exiting)
    EXIT_REASON_NMI_WINDOW = 8,           ///< guest can take an NMI (NMI-window exiting)
    EXIT_REASON_TASK_SWITCH = 9,          ///< task switch
    EXIT_REASON_CPUID = 10,               ///< CPUID (always exits)
    EXIT_REASON_GETSEC = 11,              ///< GETSEC
    EXIT_REASON_HLT = 12,                 ///< HLT, with HLT exiting
    EXIT_REASON_INVD = 13,                ///< INVD (always exits)
    EXIT_REASON_INVLPG = 14,              ///< INVLPG, with INVLPG exiting
    EXIT_REASON_RDPMC = 15,               ///< RDPMC, with RDPMC exiting
    EXIT_REASON_RDTSC = 16,               ///< RDTSC, with RDTSC exiting
    EXIT_REASON_RSM = 17,                 ///< RSM in SMM
    EXIT_REASON_VMCALL = 18,              ///< VMCALL (always exits, at any CPL)
    EXIT_REASON_VMCLEAR = 19,             ///< VMCLEAR in the guest
    EXIT_REASON_VMLAUNCH = 20,            ///< VMLAUNCH in the guest
    EXIT_REASON_VMPTRLD = 21,             ///< VMPTRLD in the guest
    EXIT_REASON_VMPTRST = 22,             ///< VMPTRST in the guest
    EXIT_REASON_VMREAD = 23,              ///< VMREAD in the guest
    EXIT_REASON_VMRESUME = 24,            ///< VMRESUME in the guest
    EXIT_REASON_VMWRITE = 25,             ///< VMWRITE in the guest
    EXIT_REASON_VMXOFF = 26,              ///< VMXOFF in the guest
    EXIT_REASON_VMXON = 27,               ///< VMXON in the guest
    EXIT_REASON_CR_ACCESS = 28,           ///< control-register access (CrAccessInfo)
    EXIT_REASON_DR_ACCESS = 29,           ///< MOV DR
    EXIT_REASON_IO_INSTRUCTION = 30,      ///< I/O instruction (IoExitInfo)
    EXIT_REASON_MSR_READ = 31,            ///< RDMSR
    EXIT_REASON_MSR_WRITE = 32,           ///< WRMSR
    EXIT_REASON_INVALID_STATE = 33,       ///< VM-entry failure: invalid guest state
    EXIT_REASON_MSR_LOAD_FAIL = 34,       ///< VM-entry failure: MSR loading
    EXIT_REASON_MWAIT_INSTRUCTION = 36,   ///< MWAIT
    EXIT_REASON_MONITOR_TRAP_FLAG = 37,   ///< monitor trap flag
    EXIT_REASON_MONITOR_INSTRUCTION = 39, ///< MONITOR
    EXIT_REASON_PAUSE_INSTRUCTION = 40,   ///< PAUSE
    EXIT_REASON_MCE_DURING_VMENTRY = 41,  ///< VM-entry failure: machine-check event
    EXIT_REASON_TPR_BELOW_THRESHOLD = 43, ///< TPR below threshold
    EXIT_REASON_APIC_ACCESS = 44,         ///< APIC access
    EXIT_REASON_EOI_INDUCED = 45,         ///< virtualized EOI
    EXIT_REASON_GDTR_IDTR = 46,           ///< access to GDTR or IDTR
    EXIT_REASON_LDTR_TR = 47,             ///< access to LDTR or TR
    EXIT_REASON_EPT_VIOLATION = 48,       ///< EPT violation (EptViolationInfo)
    EXIT_REASON_EPT_MISCONFIG = 49,       ///< EPT misconfiguration
    EXIT_REASON_INVEPT = 50,              ///< INVEPT in the guest
    EXIT_REASON_RDTSCP = 51,              ///< RDTSCP
    EXIT_REASON_PREEMPTION_TIMER = 52,    ///< VMX-preemption timer expired
    EXIT_REASON_INVVPID = 53,             ///< INVVPID in the guest
    EXIT_REASON_WBINVD = 54,              ///< WBINVD or WBNOINVD
    EXIT_REASON_XSETBV = 55,              ///< XSETBV (always exits)
    EXIT_REASON_APIC_WRITE = 56,          ///< APIC write
    EXIT_REASON_RDRAND = 57,              ///< RDRAND
    EXIT_REASON_INVPCID = 58,             ///< INVPCID
    EXIT_REASON_VMFUNC = 59,              ///< VMFUNC failure
    EXIT_REASON_ENCLS = 60,               ///< ENCLS
    EXIT_REASON_RDSEED = 61,              ///< RDSEED
    EXIT_REASON_PML_FULL = 62,            ///< page-modification log full
    EXIT_REASON_XSAVES = 63,              ///< XSAVES
    EXIT_REASON_XRSTORS = 64,             ///< XRSTORS
    EXIT_REASON_PCONFIG = 65,             ///< PCONFIG
    EXIT_REASON_SPP = 66,                 ///< SPP-related event
    EXIT_REASON_UMWAIT = 67,              ///< UMWAIT
    EXIT_REASON_TPAUSE = 68,              ///< TPAUSE
    EXIT_REASON_LOADIWKEY = 69,           ///< LOADIWKEY
};

/// One more than the largest basic exit reason named here: the size of an exit-handler table
/// indexed by reason (KVM's kvm_vmx_exit_handlers).
inline constexpr uint16_t EXIT_REASON_COUNT = 70;

/// SDM-style name of basic exit reason @p basic without the prefix ("EPT_VIOLATION"), or
/// "UNKNOWN" for a number not in ExitReason.
const char* exit_reason_name(uint16_t basic);

/// Same as exit_reason_name() for a typed reason.
inline const char* exit_reason_name(ExitReason r) {
    return exit_reason_name(static_cast<uint16_t>(r));
}

/// The VM_EXIT_REASON field decoded (SDM Vol 3C 25.9.1). Also what a failed
/// VMLAUNCH/VMRESUME that got as far as loading guest state leaves there (SDM Vol 3C 27.8).
struct ExitReasonInfo {
    uint16_t basic;        ///< bits 15:0: the basic exit reason
    bool enclave_mode;     ///< bit 27: the exit happened in enclave mode
    bool pending_mtf;      ///< bit 28: a monitor-trap-flag exit is pending
    bool from_vmx_root;    ///< bit 29: exit from VMX root operation (SMM dual monitor)
    bool vm_entry_failure; ///< bit 31: VM entry failed (reasons 33, 34, 41)

    /// The basic reason as an ExitReason (may be a number the enum does not name).
    constexpr ExitReason reason() const { return static_cast<ExitReason>(basic); }

    /// Decode a raw VM_EXIT_REASON value: each member from its bits (SDM Vol 3C 25.9.1, Table
    /// 25-17 "Format of Exit Reason"); bits 26:16 and 30 are reserved, and ignored.
    /// Lab 5, step 5 (exit_dispatch.cc).
    static ExitReasonInfo decode(uint32_t raw);
};

} // namespace hv
