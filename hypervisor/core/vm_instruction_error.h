// VM-instruction error numbers: what a VMX instruction that "VMfailValid"s leaves in the
// VM_INSTRUCTION_ERROR field of the current VMCS (SDM Vol 3C 31.4 "VM Instruction Error
// Numbers", Table 31-1). Names follow Linux KVM (arch/x86/include/asm/vmx.h).
#pragma once

#include <stdint.h>

namespace hv {

/// A VM-instruction error number (SDM Vol 3C Table 31-1). Numbers 14, 21 and 27 are reserved.
enum class VmInstructionError : uint32_t {
    VMXERR_NONE = 0,                                  ///< no error recorded
    VMXERR_VMCALL_IN_VMX_ROOT_OPERATION = 1,          ///< VMCALL in VMX root operation
    VMXERR_VMCLEAR_INVALID_ADDRESS = 2,               ///< VMCLEAR with invalid address
    VMXERR_VMCLEAR_VMXON_POINTER = 3,                 ///< VMCLEAR with VMXON pointer
    VMXERR_VMLAUNCH_NONCLEAR_VMCS = 4,                ///< VMLAUNCH with non-clear VMCS
    VMXERR_VMRESUME_NONLAUNCHED_VMCS = 5,             ///< VMRESUME with non-launched VMCS
    VMXERR_VMRESUME_AFTER_VMXOFF = 6,                 ///< VMRESUME after VMXOFF
    VMXERR_ENTRY_INVALID_CONTROL_FIELD = 7,           ///< VM entry: invalid control field(s)
    VMXERR_ENTRY_INVALID_HOST_STATE_FIELD = 8,        ///< VM entry: invalid host-state field(s)
    VMXERR_VMPTRLD_INVALID_ADDRESS = 9,               ///< VMPTRLD with invalid address
    VMXERR_VMPTRLD_VMXON_POINTER = 10,                ///< VMPTRLD with VMXON pointer
    VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID = 11,   ///< VMPTRLD: wrong VMCS revision id
    VMXERR_UNSUPPORTED_VMCS_COMPONENT = 12,           ///< VMREAD/VMWRITE of unsupported field
    VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT = 13,     ///< VMWRITE to a read-only field
    VMXERR_VMXON_IN_VMX_ROOT_OPERATION = 15,          ///< VMXON in VMX root operation
    VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS_POINTER = 16, ///< VM entry: invalid executive VMCS ptr
    VMXERR_ENTRY_NONLAUNCHED_EXECUTIVE_VMCS = 17,     ///< VM entry: non-launched executive VMCS
    VMXERR_ENTRY_EXECUTIVE_VMCS_POINTER_NOT_VMXON_POINTER = 18, ///< SMM dual monitor (SDM 32.15)
    VMXERR_VMCALL_NONCLEAR_VMCS = 19,                           ///< SMM dual monitor activation
    VMXERR_VMCALL_INVALID_VM_EXIT_CONTROL_FIELDS = 20, ///< VMCALL: invalid VM-exit controls
    VMXERR_VMCALL_INCORRECT_MSEG_REVISION_ID = 22,     ///< VMCALL: wrong MSEG revision id
    VMXERR_VMXOFF_UNDER_DUAL_MONITOR_TREATMENT = 23,   ///< VMXOFF under SMM dual monitor
    VMXERR_VMCALL_INVALID_SMM_MONITOR_FEATURES = 24,   ///< VMCALL: invalid SMM-monitor features
    VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS_CONTROLS = 25, ///< return from SMM: bad executive VMCS
    VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS = 26,        ///< VM entry with events blocked by MOV SS
    VMXERR_INVALID_OPERAND_TO_INVEPT_INVVPID = 28,     ///< invalid operand to INVEPT/INVVPID
};

/// The SDM's text for error @p number (Table 31-1), e.g. 7 -> "VM entry with invalid control
/// field(s)"; "reserved VM-instruction error number" for 14, 21, 27 and numbers above 28.
/// Pass the raw VM_INSTRUCTION_ERROR value: it is not checked against the enum.
const char* vm_instruction_error_text(uint32_t number);

/// Same as vm_instruction_error_text() for a typed error.
inline const char* vm_instruction_error_text(VmInstructionError e) {
    return vm_instruction_error_text(static_cast<uint32_t>(e));
}

} // namespace hv
