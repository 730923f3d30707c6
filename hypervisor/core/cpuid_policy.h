// What a guest sees when it executes CPUID (lab 5). CPUID always exits in VMX non-root
// operation (SDM Vol 3C 26.1.2), so the hypervisor decides every answer.
#pragma once

#include <stdint.h>

namespace hv {

/// The four registers CPUID returns.
struct CpuidRegs {
    uint32_t eax; ///< EAX output
    uint32_t ebx; ///< EBX output
    uint32_t ecx; ///< ECX output
    uint32_t edx; ///< EDX output
};

/// The hypervisor's vendor leaf: CPUID 0x40000000 returns this signature in EBX, ECX, EDX
/// ("vLibOSvLibOS") and the highest hypervisor leaf (0x40000000) in EAX.
inline constexpr uint32_t HV_CPUID_LEAF = 0x40000000;
/// The signature as three little-endian words: "vLib", "OSvL", "ibOS".
inline constexpr uint32_t HV_SIGNATURE[3] = {0x62694C76, 0x4C76534F, 0x534F6269};

/// The guest's view of CPUID(leaf, subleaf), given what the host CPU returned (`host`).
CpuidRegs guest_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host);

} // namespace hv
