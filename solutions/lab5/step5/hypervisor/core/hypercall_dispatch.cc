// Lab 5 solution: deciding a hypercall (rules in the skeleton's comment).
#include "hypervisor/core/hypercall_dispatch.h"

namespace hv {

HypercallResult dispatch_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, unsigned cpl,
                                   HypercallEnv& env) {
    if (cpl != 0) return {-HCE_PERM, false, 0};
    switch (nr) {
    case HC_PRINT: {
        if (a1 > HC_PRINT_MAX) return {-HCE_INVAL, false, 0};
        const uint8_t* text = env.guest_bytes(a0, a1);
        if (!text) return {-HCE_FAULT, false, 0};
        env.print(text, a1);
        return {0, false, 0};
    }
    case HC_REPORT:
        env.report(a0, a1, a2);
        return {0, false, 0};
    case HC_EXIT:
        return {0, true, a0};
    default:
        return {-HCE_NOSYS, false, 0};
    }
}

} // namespace hv
