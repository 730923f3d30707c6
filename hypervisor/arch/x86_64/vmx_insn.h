// One-instruction wrappers for the VMX instructions (SDM Vol 3C chapter 31, "VMX Instruction
// Reference"), the hypervisor's only inline asm besides vm_entry.S.
//
// Every VMX instruction reports its outcome in RFLAGS (SDM 31.2 "Conventions"):
// VMsucceed (CF = ZF = 0), VMfailInvalid (CF = 1: no current VMCS, or a bad pointer) and
// VMfailValid (ZF = 1: the reason is in the VM_INSTRUCTION_ERROR field of the current VMCS).
#pragma once

#include <stdint.h>

namespace hv::vmx {

/// Outcome of a VMX instruction.
enum class VmxStatus : uint8_t {
    ok,           ///< VMsucceed
    fail_invalid, ///< VMfailInvalid: CF = 1
    fail_valid,   ///< VMfailValid: ZF = 1, see VM_INSTRUCTION_ERROR
};

#define HV_VMX_STATUS(insn_asm, ...)                                                               \
    uint8_t cf, zf;                                                                                \
    asm volatile(insn_asm "\n\tsetc %0\n\tsetz %1"                                                 \
                 : "=rm"(cf), "=rm"(zf)                                                            \
                 : __VA_ARGS__                                                                     \
                 : "cc", "memory");                                                                \
    return cf ? VmxStatus::fail_invalid : zf ? VmxStatus::fail_valid : VmxStatus::ok

/// Enter VMX root operation with the VMXON region at physical `region`.
[[nodiscard, gnu::always_inline]] inline VmxStatus vmxon(uint64_t region) {
    HV_VMX_STATUS("vmxon %2", "m"(region));
}
/// Leave VMX operation.
[[nodiscard, gnu::always_inline]] inline VmxStatus vmxoff() {
    HV_VMX_STATUS("vmxoff", "i"(0));
}
/// Make the VMCS at physical `vmcs` inactive and write its data to memory.
[[nodiscard, gnu::always_inline]] inline VmxStatus vmclear(uint64_t vmcs) {
    HV_VMX_STATUS("vmclear %2", "m"(vmcs));
}
/// Make the VMCS at physical `vmcs` current and active.
[[nodiscard, gnu::always_inline]] inline VmxStatus vmptrld(uint64_t vmcs) {
    HV_VMX_STATUS("vmptrld %2", "m"(vmcs));
}
/// The current-VMCS pointer (~0 if none), SDM Vol 3C 31.3 VMPTRST: to put it back after using
/// another.
[[nodiscard, gnu::always_inline]] inline uint64_t vmptrst() {
    uint64_t p;
    asm volatile("vmptrst %0" : "=m"(p)::"memory");
    return p;
}
/// Write `value` to field `encoding` of the current VMCS. True on VMsucceed; otherwise the
/// caller reads VM_INSTRUCTION_ERROR (VMfailValid) or finds no current VMCS (VMfailInvalid).
/// The outcome is the "above" condition (CF = ZF = 0) taken straight from RFLAGS: these two run
/// several times per VM exit.
[[nodiscard, gnu::always_inline]] inline bool vmwrite(uint64_t encoding, uint64_t value) {
    bool ok;
    asm volatile("vmwrite %2, %1" : "=@cca"(ok) : "r"(encoding), "rm"(value) : "memory");
    return ok;
}
/// Read field `encoding` of the current VMCS into `*value`. True on VMsucceed (as vmwrite).
[[nodiscard, gnu::always_inline]] inline bool vmread(uint64_t encoding, uint64_t* value) {
    bool ok;
    uint64_t v;
    asm volatile("vmread %2, %1" : "=@cca"(ok), "=rm"(v) : "r"(encoding));
    *value = v;
    return ok;
}

/// The 128-bit descriptor of INVEPT (SDM 31.3, INVEPT): the EPTP and a reserved quadword.
struct alignas(16) InveptDescriptor {
    uint64_t eptp;     ///< the EPT pointer whose mappings to drop
    uint64_t reserved; ///< must be 0
};
/// INVEPT types (SDM 31.3): 1 single-context (one EPTP), 2 all-context.
enum InveptType : uint64_t { INVEPT_SINGLE_CONTEXT = 1, INVEPT_ALL_CONTEXT = 2 };
/// Invalidate cached EPT translations.
[[nodiscard, gnu::always_inline]] inline VmxStatus invept(InveptType type,
                                                          const InveptDescriptor& d) {
    HV_VMX_STATUS("invept %3, %2", "r"(uint64_t(type)), "m"(d));
}

#undef HV_VMX_STATUS

} // namespace hv::vmx
