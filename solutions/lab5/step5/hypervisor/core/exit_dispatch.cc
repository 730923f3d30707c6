// Lab 5 solution, step 5: decoding a VM exit, skipping the instruction that caused it, and the
// test guests' exit handlers (the contracts are in exit_reason.h and exit_dispatch.h).
#include "hypervisor/core/exit_dispatch.h"

namespace hv {

ExitReasonInfo ExitReasonInfo::decode(uint32_t raw) {
    return ExitReasonInfo{
        static_cast<uint16_t>(raw & 0xffff),
        ((raw >> 27) & 1) != 0,
        ((raw >> 28) & 1) != 0,
        ((raw >> 29) & 1) != 0,
        ((raw >> 31) & 1) != 0,
    };
}

template <VmcsAccess A> void exits::skip_instruction(Vmcs<A>& v) {
    v.write(GUEST_RIP, v.read(GUEST_RIP) + v.read(VM_EXIT_INSTRUCTION_LEN));
}

namespace {

/// CPUID: the guest sees guest_cpuid()'s answer, leaf 1 with its own OSXSAVE.
template <VmcsAccess A> bool on_cpuid(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx) {
    uint32_t leaf = uint32_t(r.rax), sub = uint32_t(r.rcx);
    CpuidRegs g = guest_cpuid(leaf, sub, ctx.env.host_cpuid(leaf, sub));
    if (leaf == 1) g.ecx = exits::osxsave_of_guest(v, g.ecx);
    r.rax = g.eax;
    r.rbx = g.ebx;
    r.rcx = g.ecx;
    r.rdx = g.edx;
    exits::skip_instruction(v);
    return false;
}

/// VMCALL: a hypercall, answered in RAX, or the guest's exit.
template <VmcsAccess A> bool on_vmcall(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx) {
    exits::GuestHypercallEnv henv(ctx);
    HypercallResult res = dispatch_hypercall(r.rax, r.rbx, r.rcx, r.rdx, exits::guest_cpl(v), henv);
    if (res.stop) return exits::stop(ctx, GuestEnd::exited, res.exit_code);
    if (res.rax < 0) ++ctx.out.bad_hypercalls;
    r.rax = uint64_t(res.rax);
    exits::skip_instruction(v);
    return false;
}

/// IN/OUT to a port: denied. IN reads a floating bus (all ones), OUT is dropped.
template <VmcsAccess A> bool on_io(Vmcs<A>& v, GuestRegs& r) {
    IoExitInfo io = IoExitInfo::decode(v.read(EXIT_QUALIFICATION));
    if (io.input && !io.string) {
        if (io.size == 4) {
            r.rax = 0xFFFFFFFF; // a 32-bit result clears bits 63:32
        } else {
            uint64_t ones = io.size == 1 ? 0xFF : 0xFFFF; // AL or AX: the rest of RAX kept
            r.rax = (r.rax & ~ones) | ones;
        }
    }
    exits::skip_instruction(v);
    return false;
}

} // namespace

template <VmcsAccess A> bool handle_exit(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx) {
    ExitReasonInfo info = ExitReasonInfo::decode(v.read(VM_EXIT_REASON));
    if (info.basic < EXIT_REASON_COUNT) ++ctx.out.exits[info.basic];
    ++ctx.out.total_exits;
    if (info.vm_entry_failure) return exits::entry_failure(v, ctx, info.basic);
    switch (info.reason()) {
    case ExitReason::EXIT_REASON_CPUID:
        return on_cpuid(v, r, ctx);
    case ExitReason::EXIT_REASON_VMCALL:
        return on_vmcall(v, r, ctx);
    case ExitReason::EXIT_REASON_HLT:
        return exits::stop(ctx, GuestEnd::halted, 0);
    case ExitReason::EXIT_REASON_IO_INSTRUCTION:
        return on_io(v, r);
    default:
        return exits::handle_other(v, r, ctx, info.basic);
    }
}

} // namespace hv

#include "hypervisor/core/exit_dispatch_instances.h" // keep: the templates, built for this kit
