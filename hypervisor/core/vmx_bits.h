// The VMX bits, named as in the SDM: VM-execution, VM-exit and VM-entry control bits, the
// interruption-information format, segment access rights, activity and interruptibility
// states. The one place the hypervisor (run loops, guest states, exit handlers, the VM-entry
// checker) names them.
//
// SDM Vol 3C chapter 25 "Virtual Machine Control Structures" (chapter 24 in editions before
// 2023) defines the control fields: 25.6.1 pin-based, 25.6.2 processor-based, 25.7.1 VM-exit,
// 25.8.1 VM-entry controls. Appendix A gives the capability MSRs (kern::x86::IA32_VMX_*, in
// core/arch/msr.h). Plain masks, no bitfields (layouts are specs: C bitfields have an
// implementation-defined order). CR0/CR4/RFLAGS and IA32_EFER bits are the kernel's
// (core/arch/control_regs.h, core/arch/msr.h).
#pragma once

#include <stdint.h>

namespace hv::vmx_bits {

/// Bit n as a 64-bit mask.
constexpr uint64_t bit(unsigned n) {
    return uint64_t{1} << n;
}

// Pin-based VM-execution controls (SDM 25.6.1, Table 25-5).
constexpr uint32_t PIN_EXTERNAL_INTERRUPT_EXITING = 1u << 0; ///< "external-interrupt exiting"
constexpr uint32_t PIN_NMI_EXITING = 1u << 3;                ///< "NMI exiting"
constexpr uint32_t PIN_VIRTUAL_NMIS = 1u << 5;               ///< "virtual NMIs"
constexpr uint32_t PIN_PREEMPTION_TIMER = 1u << 6;           ///< "activate VMX-preemption timer"
constexpr uint32_t PIN_POSTED_INTERRUPTS = 1u << 7;          ///< "process posted interrupts"

// Primary processor-based VM-execution controls (SDM 25.6.2, Table 25-6).
constexpr uint32_t PROC_INTERRUPT_WINDOW_EXITING = 1u << 2;  ///< "interrupt-window exiting"
constexpr uint32_t PROC_USE_TSC_OFFSETTING = 1u << 3;        ///< "use TSC offsetting"
constexpr uint32_t PROC_HLT_EXITING = 1u << 7;               ///< "HLT exiting"
constexpr uint32_t PROC_USE_TPR_SHADOW = 1u << 21;           ///< "use TPR shadow"
constexpr uint32_t PROC_NMI_WINDOW_EXITING = 1u << 22;       ///< "NMI-window exiting"
constexpr uint32_t PROC_UNCONDITIONAL_IO_EXITING = 1u << 24; ///< "unconditional I/O exiting"
constexpr uint32_t PROC_USE_IO_BITMAPS = 1u << 25;           ///< "use I/O bitmaps"
constexpr uint32_t PROC_MONITOR_TRAP_FLAG = 1u << 27;        ///< "monitor trap flag"
constexpr uint32_t PROC_USE_MSR_BITMAPS = 1u << 28;          ///< "use MSR bitmaps"
constexpr uint32_t PROC_ACTIVATE_SECONDARY = 1u << 31;       ///< "activate secondary controls"

// Secondary processor-based VM-execution controls (SDM 25.6.2, Table 25-7).
constexpr uint32_t PROC2_VIRTUALIZE_APIC_ACCESSES = 1u << 0; ///< "virtualize APIC accesses"
constexpr uint32_t PROC2_ENABLE_EPT = 1u << 1;               ///< "enable EPT"
constexpr uint32_t PROC2_VIRTUALIZE_X2APIC = 1u << 4;        ///< "virtualize x2APIC mode"
constexpr uint32_t PROC2_ENABLE_VPID = 1u << 5;              ///< "enable VPID"
constexpr uint32_t PROC2_UNRESTRICTED_GUEST = 1u << 7;       ///< "unrestricted guest"
constexpr uint32_t PROC2_APIC_REGISTER_VIRT = 1u << 8;       ///< "APIC-register virtualization"
constexpr uint32_t PROC2_VIRTUAL_INTR_DELIVERY = 1u << 9;    ///< "virtual-interrupt delivery"
constexpr uint32_t PROC2_VMCS_SHADOWING = 1u << 14;          ///< "VMCS shadowing"
constexpr uint32_t PROC2_ENABLE_PML = 1u << 17;              ///< "enable PML"
constexpr uint32_t PROC2_USE_TSC_SCALING = 1u << 25;         ///< "use TSC scaling"

// VM-exit controls (SDM 25.7.1, Table 25-13).
constexpr uint32_t EXIT_HOST_ADDR_SPACE_SIZE = 1u << 9;   ///< "host address-space size"
constexpr uint32_t EXIT_ACK_INTERRUPT_ON_EXIT = 1u << 15; ///< "acknowledge interrupt on exit"
constexpr uint32_t EXIT_SAVE_IA32_PAT = 1u << 18;         ///< "save IA32_PAT"
constexpr uint32_t EXIT_LOAD_IA32_PAT = 1u << 19;         ///< "load IA32_PAT"
constexpr uint32_t EXIT_SAVE_IA32_EFER = 1u << 20;        ///< "save IA32_EFER"
constexpr uint32_t EXIT_LOAD_IA32_EFER = 1u << 21;        ///< "load IA32_EFER"
constexpr uint32_t EXIT_SAVE_PREEMPTION_TIMER = 1u << 22; ///< "save VMX-preemption timer value"

// VM-entry controls (SDM 25.8.1, Table 25-15).
constexpr uint32_t ENTRY_LOAD_DEBUG_CONTROLS = 1u << 2;      ///< "load debug controls"
constexpr uint32_t ENTRY_IA32E_MODE_GUEST = 1u << 9;         ///< "IA-32e mode guest"
constexpr uint32_t ENTRY_TO_SMM = 1u << 10;                  ///< "entry to SMM"
constexpr uint32_t ENTRY_DEACTIVATE_DUAL_MONITOR = 1u << 11; ///< "deactivate dual-monitor ..."
constexpr uint32_t ENTRY_LOAD_IA32_PAT = 1u << 14;           ///< "load IA32_PAT"
constexpr uint32_t ENTRY_LOAD_IA32_EFER = 1u << 15;          ///< "load IA32_EFER"

// Interruption-information format, shared by VM_ENTRY_INTR_INFO_FIELD, VM_EXIT_INTR_INFO and
// IDT_VECTORING_INFO_FIELD (SDM 25.8.3, Table 25-17; 25.9.2, Table 25-19).
constexpr uint32_t INTR_INFO_VECTOR_MASK = 0xFF;            ///< bits 7:0: vector
constexpr uint32_t INTR_INFO_TYPE_SHIFT = 8;                ///< bits 10:8: interruption type
constexpr uint32_t INTR_INFO_DELIVER_ERROR_CODE = 1u << 11; ///< bit 11: deliver error code
constexpr uint32_t INTR_INFO_VALID = 1u << 31;              ///< bit 31: valid
constexpr uint32_t INTR_TYPE_EXTERNAL = 0;                  ///< external interrupt
constexpr uint32_t INTR_TYPE_NMI = 2;                       ///< non-maskable interrupt
constexpr uint32_t INTR_TYPE_HW_EXCEPTION = 3;              ///< hardware exception
constexpr uint32_t INTR_TYPE_SW_INTERRUPT = 4;              ///< software interrupt (INT n)
constexpr uint32_t INTR_TYPE_PRIV_SW_EXCEPTION = 5;         ///< privileged software exception
constexpr uint32_t INTR_TYPE_SW_EXCEPTION = 6;              ///< software exception (INT3, INTO)
constexpr uint32_t INTR_TYPE_OTHER = 7;                     ///< other event (pending MTF)

/// A valid VM_ENTRY_INTR_INFO_FIELD value: inject @p vector as an event of @p type (an
/// INTR_TYPE_*), with an error code if @p error_code (SDM 25.8.3).
constexpr uint32_t intr_info(uint8_t vector, uint32_t type, bool error_code = false) {
    return INTR_INFO_VALID | (error_code ? INTR_INFO_DELIVER_ERROR_CODE : 0) |
           (type << INTR_INFO_TYPE_SHIFT) | vector;
}

// Segment access rights as the VMCS stores them (SDM 25.4.1, Table 25-2).
constexpr uint32_t AR_TYPE_MASK = 0xF;              ///< bits 3:0: segment type
constexpr uint32_t AR_S = 1u << 4;                  ///< descriptor type (0 system, 1 code/data)
constexpr uint32_t AR_DPL_SHIFT = 5;                ///< bits 6:5: DPL
constexpr uint32_t AR_P = 1u << 7;                  ///< present
constexpr uint32_t AR_RESERVED_11_8 = 0xF00;        ///< bits 11:8: reserved
constexpr uint32_t AR_L = 1u << 13;                 ///< 64-bit code segment (CS only)
constexpr uint32_t AR_DB = 1u << 14;                ///< default operation size
constexpr uint32_t AR_G = 1u << 15;                 ///< granularity
constexpr uint32_t AR_UNUSABLE = 1u << 16;          ///< segment unusable
constexpr uint32_t AR_RESERVED_31_17 = 0xFFFE0000u; ///< bits 31:17: reserved

// Segment types of code and data descriptors (SDM Vol 3A 3.4.5.1, Table 3-1).
constexpr uint32_t SEG_TYPE_DATA_RW_ACCESSED = 0x3; ///< data, read/write, accessed
constexpr uint32_t SEG_TYPE_CODE_XR_ACCESSED = 0xB; ///< code, execute/read, accessed
/// System segment type 11: busy TSS, 32-bit or (in IA-32e mode) 64-bit (SDM Vol 3A Table 3-2).
constexpr uint32_t SEG_TYPE_TSS_BUSY = 0xB;

// Guest activity states (SDM 25.4.2, Table 25-3).
constexpr uint32_t ACTIVITY_ACTIVE = 0;    ///< active
constexpr uint32_t ACTIVITY_HLT = 1;       ///< HLT
constexpr uint32_t ACTIVITY_SHUTDOWN = 2;  ///< shutdown (after a triple fault)
constexpr uint32_t ACTIVITY_WAIT_SIPI = 3; ///< wait-for-SIPI

// Guest interruptibility state (SDM 25.4.2, Table 25-3).
constexpr uint32_t BLOCKING_BY_STI = 1u << 0;      ///< blocking by STI
constexpr uint32_t BLOCKING_BY_MOV_SS = 1u << 1;   ///< blocking by MOV SS
constexpr uint32_t BLOCKING_BY_SMI = 1u << 2;      ///< blocking by SMI
constexpr uint32_t BLOCKING_BY_NMI = 1u << 3;      ///< blocking by NMI
constexpr uint32_t ENCLAVE_INTERRUPTION = 1u << 4; ///< the guest was interrupted in an enclave

} // namespace hv::vmx_bits
