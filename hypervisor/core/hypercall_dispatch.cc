// Lab 5: deciding a hypercall. The ABI is in hypervisor/core/hypercall.h.
//
// VMCALL exits to the hypervisor at ANY guest privilege level (SDM Vol 3C 26.1.2): a guest's
// user program can execute it too. So, in this order:
//   1. a caller with cpl != 0 gets -HCE_PERM and nothing else happens;
//   2. HC_PRINT(gpa = a0, length = a1): a length above HC_PRINT_MAX is -HCE_INVAL; text not
//      entirely inside guest RAM (env.guest_bytes returns nullptr) is -HCE_FAULT; otherwise
//      env.print() it and return 0;
//   3. HC_REPORT(a0, a1, a2): env.report() them, return 0;
//   4. HC_EXIT(code = a0): stop = true, exit_code = a0, rax = 0;
//   5. any other number: -HCE_NOSYS.
// Validate everything before acting: a bad call must have no effect at all.
#include "hypervisor/core/hypercall_dispatch.h"

namespace hv {

HypercallResult dispatch_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, unsigned cpl,
                                   HypercallEnv& env) {
    // TODO(lab5): the five rules above.
    (void)nr;
    (void)a0;
    (void)a1;
    (void)a2;
    (void)cpl;
    (void)env;
    return HypercallResult{-HCE_NOSYS, false, 0};
}

} // namespace hv
