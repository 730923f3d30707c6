// The explicit instantiations of lab 5's exit templates (exit_dispatch.cc) for this build's VMCS
// back end (exit_vmcs_backend.h). Included once, at the end of exit_dispatch.cc, after the
// definitions.
#pragma once

#include "hypervisor/core/exit_vmcs_backend.h"

namespace hv {

// Instantiations, not declarations: nothing for Doxygen to document.
/// \cond
template void exits::skip_instruction<ExitVmcsBackend>(Vmcs<ExitVmcsBackend>&);
template bool handle_exit<ExitVmcsBackend>(Vmcs<ExitVmcsBackend>&, GuestRegs&, GuestContext&);
/// \endcond

} // namespace hv
