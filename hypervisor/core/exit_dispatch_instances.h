// The explicit instantiations of lab 5's exit templates (exit_dispatch.cc) for this build's VMCS
// back end: RealVmcs (VMREAD/VMWRITE) in the kernel, FakeVmcs in the host tests. The templates
// are defined in a .cc file so that they are a student's file like any other (a header cannot
// be one); each build instantiates them for the one back end it uses. Included once, at the end
// of exit_dispatch.cc, after the definitions.
#pragma once

#if KIT_HOST_TEST
#include "hypervisor/core/fake_vmcs.h"
#else
#include "hypervisor/arch/x86_64/real_vmcs.h"
#endif

namespace hv {

#if KIT_HOST_TEST
using ExitVmcsBackend = FakeVmcs; ///< the back end the exit templates are built for
#else
using ExitVmcsBackend = RealVmcs; ///< the back end the exit templates are built for
#endif

// Instantiations, not declarations: nothing for Doxygen to document.
/// \cond
template void exits::skip_instruction<ExitVmcsBackend>(Vmcs<ExitVmcsBackend>&);
template bool handle_exit<ExitVmcsBackend>(Vmcs<ExitVmcsBackend>&, GuestRegs&, GuestContext&);
/// \endcond

} // namespace hv
