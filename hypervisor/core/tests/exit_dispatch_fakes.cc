// Stand-ins for lab 5's two functions, so that the exit-dispatch tests check the dispatcher's
// own plumbing (which register gets what, RIP advanced or not, when the guest stops) whether or
// not lab 5 is solved. Their behaviour is deliberately simple and different from the real ones.
#include "hypervisor/core/cpuid_policy.h"
#include "hypervisor/core/hypercall_dispatch.h"

namespace hv {

CpuidRegs guest_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host) {
    return CpuidRegs{host.eax + 1, host.ebx, host.ecx ^ leaf, subleaf};
}

HypercallResult dispatch_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t, unsigned cpl,
                                   HypercallEnv& env) {
    if (cpl != 0) return {-HCE_PERM, false, 0};
    if (nr == HC_PRINT) {
        if (const uint8_t* t = env.guest_bytes(a0, a1)) env.print(t, a1);
        return {0, false, 0};
    }
    if (nr == HC_EXIT) return {0, true, a0};
    return {-HCE_NOSYS, false, 0};
}

} // namespace hv
