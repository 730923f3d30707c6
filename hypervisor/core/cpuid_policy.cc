// Lab 5: the CPUID the guest sees.
//
// The guest must not believe it can use what the hypervisor does not give it, and should know
// it runs on a hypervisor:
//   leaf 1:           clear ECX bit 5 (VMX: no nested virtualization) and set ECX bit 31
//                     (the "hypervisor present" bit, reserved for this use on real CPUs);
//   leaf 7, subleaf 0: clear ECX bit 16 (LA57: the guest gets 4-level paging only);
//   leaf 0x40000000:  EAX = 0x40000000 (the highest hypervisor leaf), EBX/ECX/EDX = the
//                     signature HV_SIGNATURE ("vLibOSvLibOS"), whatever the host returned;
//   any other leaf:   the host's answer unchanged.
// (SDM Vol 2A, CPUID, for the bits; Linux reads the hypervisor leaves in
// arch/x86/kernel/cpu/hypervisor.c.)
#include "hypervisor/core/cpuid_policy.h"

namespace hv {

CpuidRegs guest_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host) {
    // TODO(lab5): apply the rules above.
    (void)leaf;
    (void)subleaf;
    return host;
}

} // namespace hv
