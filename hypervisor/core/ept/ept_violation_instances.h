// The explicit instantiation of lab 6's EPT-violation handler (ept_violation.cc) for this build's
// VMCS back end (exit_dispatch_instances.h says why the template lives in a .cc file). Included
// once, at the end of ept_violation.cc, after the definition.
#pragma once

#include "hypervisor/core/exit_vmcs_backend.h"

namespace hv {

// An instantiation, not a declaration: nothing for Doxygen to document.
/// \cond
template bool exits::handle_ept_violation<ExitVmcsBackend>(Vmcs<ExitVmcsBackend>&, GuestRegs&,
                                                           GuestContext&);
/// \endcond

} // namespace hv
