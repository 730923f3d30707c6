// The hypercall ABI between test guests (and later the Linux slave) and the hypervisor.
//
// A guest executes VMCALL with the number in RAX and arguments in RBX, RCX, RDX; the result
// comes back in RAX: >= 0 success, negative -errno (Linux numbering). VMCALL exits whatever
// the guest's privilege level (SDM Vol 3C 26.1.2), so the hypervisor checks the CPL itself:
// only CPL 0 may call, anything else gets -EPERM.
#pragma once

#include <stdint.h>

namespace hv {

/// Hypercall numbers.
enum Hypercall : uint64_t {
    HC_PRINT = 1,     ///< (gpa text, length <= 256): print on the master's console
    HC_REPORT = 2,    ///< (a, b, c): hand three values to the test that launched the guest
    HC_EXIT = 3,      ///< (code): stop this guest with an exit code
    HC_DOORBELL = 16, ///< (): the Linux slave's delegation daemon has responses ready (any CPL)
};

/// Errors returned in RAX (negated).
enum HypercallError : int64_t {
    HCE_PERM = 1,   ///< caller not at CPL 0
    HCE_FAULT = 14, ///< a guest address outside guest RAM
    HCE_INVAL = 22, ///< bad argument
    HCE_NOSYS = 38, ///< unknown hypercall number
};

/// Longest HC_PRINT text.
inline constexpr uint64_t HC_PRINT_MAX = 256;

} // namespace hv
