// Lab 5, step 5: the VM exit, seen from the hypervisor.
//
// After every VM exit the run loop (hypervisor/run_loop.h) calls the guest's policy, and a test
// guest's policy calls handle_exit() here. Write:
//   - ExitReasonInfo::decode(): the VM_EXIT_REASON field taken apart (contract in
//     exit_reason.h);
//   - exits::skip_instruction(): the next entry resumes after the instruction that exited
//     (contract in exit_dispatch.h);
//   - handle_exit(): decode and count the exit, then the handlers of CPUID, VMCALL, HLT and
//     I/O instructions; every other reason goes to the kit's exits::handle_other() (contract
//     in exit_dispatch.h).
// The helpers you need are in exit_dispatch.h (exits::stop, exits::entry_failure,
// exits::osxsave_of_guest, exits::guest_cpl, exits::GuestHypercallEnv) and
// exit_qualification.h (IoExitInfo). SDM Vol 3C chapter 28 "VM Exits", section 28.2 for the
// exit-information fields.
//
// The functions are templates over the VMCS back end (RealVmcs in the kernel, FakeVmcs in the
// host tests); the include at the end builds them for this kit: keep it.
#include "hypervisor/core/exit_dispatch.h"

namespace hv {

ExitReasonInfo ExitReasonInfo::decode(uint32_t raw) {
    // TODO(lab5, step 5): the members from raw's bits.
    (void)raw;
    return ExitReasonInfo{};
}

template <VmcsAccess A> void exits::skip_instruction(Vmcs<A>& v) {
    // TODO(lab5, step 5): resume after the instruction.
    (void)v;
}

template <VmcsAccess A> bool handle_exit(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx) {
    // TODO(lab5, step 5): decode, count and handle the exit. Until then the guest stops at its
    // first exit, saying why.
    (void)r;
    return exits::not_written(v, ctx);
}

} // namespace hv

#include "hypervisor/core/exit_dispatch_instances.h" // keep: the templates, built for this kit
