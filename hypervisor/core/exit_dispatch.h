// VM-exit dispatch for the test guests: one handler per basic exit reason (SDM Vol 3D Appendix
// C), called by the run loop after every exit. Pure over the VmcsAccess concept: host tests
// replay exits on a FakeVmcs (core/tests/exit_dispatch_test.cc); the kernel uses RealVmcs. What
// needs the machine (the host's CPUID, the console) comes through ExitEnv.
//
// handle_exit() and skip_instruction() are lab 5's (exit_dispatch.cc, step 5): the exit's
// decoding and the handlers of the exits a first hypervisor meets (CPUID, VMCALL, HLT, I/O).
// The kit's handlers for the other reasons are exits::handle_other() below.
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/vectors.h"
#include "core/format.h"
#include "hypervisor/core/cpuid_policy.h"
#include "hypervisor/core/cr_access.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/core/guest_outcome.h"
#include "hypervisor/core/guest_regs.h"
#include "hypervisor/core/hypercall_dispatch.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv {

class Ept;
class DirtyLog;

/// The machine-dependent services exit handlers use.
struct ExitEnv {
    /// CPUID(leaf, subleaf) on the host CPU.
    virtual CpuidRegs host_cpuid(uint32_t leaf, uint32_t subleaf) = 0;
    /// Print one line on the master's console.
    virtual void log(const char* line) = 0;
    /// The XCR0 bits this CPU supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX), 0 without XSAVE.
    virtual uint64_t xcr0_supported() = 0;
    /// Load XCR0 on the host CPU (the guest's value, while the guest runs: XCR0 is not in the
    /// VMCS, SDM Vol 3C 26.1.2 lists XSETBV as always exiting).
    virtual void set_xcr0(uint64_t value) = 0;
    /// Invalidate the translations this CPU cached from the EPT whose EPTP is @p eptp (INVEPT,
    /// single-context; SDM Vol 3C 29.4.3.3): after an EPT entry lost access bits, or before the
    /// guest relies on a change.
    virtual void invept(uint64_t eptp) = 0;

  protected:
    ~ExitEnv() = default;
};

/// The CR0/CR4 bits VMX operation fixes (IA32_VMX_CR0/CR4_FIXED0/1, SDM A.7/A.8).
struct CrFixedBits {
    uint64_t cr0_fixed0 = 0;     ///< CR0 bits that must be 1
    uint64_t cr0_fixed1 = ~0ull; ///< CR0 bits that may be 1
    uint64_t cr4_fixed0 = 0;     ///< CR4 bits that must be 1
    uint64_t cr4_fixed1 = ~0ull; ///< CR4 bits that may be 1
};

/// What the handlers know about the running guest.
struct GuestContext {
    const GuestConfig& config; ///< how it was launched
    GuestOutcome& out;         ///< statistics and the verdict, filled in
    uint8_t* ram;              ///< where the host reaches guest RAM
    uint64_t ram_gpa;          ///< guest-physical address of guest RAM's first byte
    ExitEnv& env;              ///< host services
    CrFixedBits fixed{};       ///< for CR-access exits
    Ept* ept = nullptr;        ///< the guest's EPT, nullptr without EPT
    DirtyLog* dirty = nullptr; ///< the pages it writes are logged here; nullptr: not logged
};

/// Host pointer to guest-physical [gpa, gpa + n) if it lies in guest RAM, else nullptr.
inline const uint8_t* guest_bytes(const GuestContext& ctx, uint64_t gpa, uint64_t n) {
    if (gpa < ctx.ram_gpa || n > ctx.config.ram_bytes ||
        gpa - ctx.ram_gpa > ctx.config.ram_bytes - n)
        return nullptr;
    return ctx.ram + (gpa - ctx.ram_gpa);
}

namespace exits {

/// Skip the instruction that caused the exit, so that the next entry resumes after it.
///   - the instruction's length is in VM_EXIT_INSTRUCTION_LEN, valid for exits caused by an
///     instruction (CPUID, VMCALL, HLT, RDMSR, I/O...; SDM Vol 3C 28.2.5 "Information for VM
///     Exits Due to Instruction Execution");
///   - the guest's RIP is GUEST_RIP, saved by the exit (SDM Vol 3C 28.3.1).
/// Lab 5, step 5 (exit_dispatch.cc).
template <VmcsAccess A> void skip_instruction(Vmcs<A>& v);

/// The guest's CPL: its SS.DPL (SDM Vol 3A 5.5), which the VMCS keeps in SS's access rights.
template <VmcsAccess A> unsigned guest_cpl(Vmcs<A>& v) {
    return (v.read(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/// The hypervisor's side of a hypercall: guest RAM, the console, the launcher's report.
struct GuestHypercallEnv final : HypercallEnv {
    GuestContext& ctx; ///< the guest calling
    /// Serve `c`'s hypercalls.
    explicit GuestHypercallEnv(GuestContext& c) : ctx(c) {}
    const uint8_t* guest_bytes(uint64_t gpa, uint64_t n) override {
        return hv::guest_bytes(ctx, gpa, n);
    }
    void print(const uint8_t* text, size_t n) override {
        char buf[HC_PRINT_MAX + 1];
        n = n > HC_PRINT_MAX ? HC_PRINT_MAX : n;
        for (size_t i = 0; i < n; ++i) // only printable ASCII reaches the master's console
            buf[i] = (text[i] >= 0x20 && text[i] < 0x7F) ? char(text[i]) : '.';
        buf[n] = '\0';
        char line[HC_PRINT_MAX + 40];
        kern::snformat(line, sizeof line, "[%s] %s", ctx.config.name, buf);
        ctx.env.log(line);
        ++ctx.out.prints;
    }
    void report(uint64_t a, uint64_t b, uint64_t c) override {
        ctx.out.report[0] = a;
        ctx.out.report[1] = b;
        ctx.out.report[2] = c;
        ctx.out.reported = true;
    }
};

/// Make the next VM entry deliver #GP(0) to the guest (SDM Vol 3C 27.6 "Event Injection").
template <VmcsAccess A> void inject_gp(Vmcs<A>& v) {
    v.write(VM_ENTRY_INTR_INFO_FIELD,
            vmx_bits::intr_info(kern::VEC_GP, vmx_bits::INTR_TYPE_HW_EXCEPTION, true));
    v.write(VM_ENTRY_EXCEPTION_ERROR_CODE, 0u);
}

/// XSETBV: the guest wants XCR0 = EDX:EAX. The checks are XSETBV's own (SDM Vol 2C, XSETBV):
/// ECX must be 0, bit 0 (x87) must be set, AVX (bit 2) needs SSE (bit 1), and only supported
/// bits; otherwise #GP(0), as the instruction itself would raise.
template <VmcsAccess A> bool xsetbv_valid(const GuestRegs& r, uint64_t supported) {
    uint64_t value = (r.rdx << 32) | (r.rax & 0xFFFFFFFF);
    return uint32_t(r.rcx) == 0 && (value & 1) && (!(value & 4) || (value & 2)) &&
           !(value & ~supported);
}

/// CPUID.1:ECX.OSXSAVE reports CR4.OSXSAVE of whoever asks (SDM Vol 2A CPUID, ECX bit 27):
/// @p ecx with that bit taken from the guest's CR4, not the host's.
template <VmcsAccess A> uint32_t osxsave_of_guest(Vmcs<A>& v, uint32_t ecx) {
    bool on = (v.read(GUEST_CR4) & kern::x86::CR4_OSXSAVE) != 0;
    return (ecx & ~kern::x86::CPUID_1_ECX_OSXSAVE) | (on ? kern::x86::CPUID_1_ECX_OSXSAVE : 0);
}

/// Stop the guest with `end` and `detail`.
inline bool stop(GuestContext& ctx, GuestEnd end, uint64_t detail) {
    ctx.out.end = end;
    ctx.out.detail = detail;
    return true;
}

/// VM entry failed while loading the guest's state (SDM Vol 3C 27.8: the exit reason's bit 31
/// is set, the basic reason is 33, 34 or 41): say so on the console and stop the guest with
/// GuestEnd::entry_failed and the basic reason as detail. Returns true (stop).
template <VmcsAccess A> bool entry_failure(Vmcs<A>& v, GuestContext& ctx, uint16_t reason) {
    char line[160];
    kern::snformat(line, sizeof line,
                   "guest '%s': VM entry failed loading guest state: %s, qualification %#lx",
                   ctx.config.name, exit_reason_name(reason), v.read(EXIT_QUALIFICATION));
    ctx.env.log(line);
    return stop(ctx, GuestEnd::entry_failed, reason);
}

/// What the skeleton of handle_exit() does: stop the guest at its first exit and say why.
template <VmcsAccess A> bool not_written(Vmcs<A>& v, GuestContext& ctx) {
    char line[160];
    kern::snformat(
        line, sizeof line,
        "guest '%s': no exit handling: handle_exit() is not written yet (lab 5, step 5); "
        "the first exit's reason field is %#x",
        ctx.config.name, v.read(VM_EXIT_REASON));
    ctx.env.log(line);
    return stop(ctx, GuestEnd::unhandled_exit, v.read(VM_EXIT_REASON));
}

} // namespace exits

/// Handle the exit that just happened: decode VM_EXIT_REASON (ExitReasonInfo::decode), count
/// it (ctx.out.exits[] by basic reason, ctx.out.total_exits), and act on it.
///   - a failed VM entry (bit 31) stops the guest: exits::entry_failure();
///   - CPUID: the guest's registers get guest_cpuid()'s answer for leaf EAX, subleaf ECX (leaf 1
///     with OSXSAVE from the guest's CR4: exits::osxsave_of_guest), and the instruction is
///     skipped;
///   - VMCALL: dispatch_hypercall() with RAX, RBX, RCX, RDX, the guest's CPL and a
///     GuestHypercallEnv; a stop ends the guest with GuestEnd::exited and its code; otherwise
///     RAX gets the result (a negative one is counted in ctx.out.bad_hypercalls) and the
///     instruction is skipped;
///   - HLT stops the guest with GuestEnd::halted and detail 0;
///   - I/O instructions: every port is denied: IN sees all ones in the bytes it reads (a
///     floating bus; the other bytes of RAX kept), OUT is dropped, the instruction skipped
///     (string I/O does nothing). The qualification says which (IoExitInfo, SDM Vol 3C Table
///     28-5);
///   - anything else: exits::handle_other().
/// Returns true if the guest must stop (ctx.out.end and ctx.out.detail say why).
/// Lab 5, step 5 (exit_dispatch.cc).
template <VmcsAccess A> bool handle_exit(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx);

namespace exits {

// Lab 6, step 3 (ept/ept_violation.h documents it).
template <VmcsAccess A> bool handle_ept_violation(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx);

/// The kit's handlers for the exits lab 5 does not write (handle_exit() hands them here):
/// external interrupts, NMIs, MSR accesses, CR accesses, XSETBV, EPT violations (lab 6's
/// handle_ept_violation()) and misconfigurations, triple faults, INIT/SIPI, the preemption timer;
/// any other reason stops the guest as unhandled, naming it. @p reason is the basic exit reason
/// (the exit is already counted). Returns true if the guest must stop (ctx.out.end says why).
template <VmcsAccess A>
bool handle_other(Vmcs<A>& v, GuestRegs& r, GuestContext& ctx, uint16_t reason) {
    char line[160];
    switch (ExitReason(reason)) {
    case ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT:
        return false; // the master takes it once the run loop enables interrupts again
    case ExitReason::EXIT_REASON_EXCEPTION_NMI:
        // With "NMI exiting" an NMI meant for the master exits here. The master sends itself no
        // NMIs (panic stops CPUs with a fixed-vector IPI), so it is counted and dropped.
        ++ctx.out.nmis;
        return false;
    case ExitReason::EXIT_REASON_MSR_READ:
        r.rax = 0; // every MSR reads as 0 and ignores writes: nothing reaches the host's
        r.rdx = 0;
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_MSR_WRITE:
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_CR_ACCESS: {
        const CrFixedBits& f = ctx.fixed;
        if (handle_cr_access(v, r, v.read(EXIT_QUALIFICATION), f.cr0_fixed0, f.cr0_fixed1,
                             f.cr4_fixed0, f.cr4_fixed1) == CrAccessResult::handled) {
            ++ctx.out.cr_writes;
            skip_instruction(v);
            return false;
        }
        kern::snformat(line, sizeof line, "guest '%s': CR access not emulated (qualification %#lx)",
                       ctx.config.name, v.read(EXIT_QUALIFICATION));
        ctx.env.log(line);
        return stop(ctx, GuestEnd::unhandled_exit, reason);
    }
    case ExitReason::EXIT_REASON_XSETBV:
        if (!xsetbv_valid<A>(r, ctx.env.xcr0_supported())) {
            inject_gp(v); // RIP stays on the XSETBV: the guest's #GP handler sees it
            ++ctx.out.injected_gp;
            return false;
        }
        ctx.out.guest_xcr0 = (r.rdx << 32) | (r.rax & 0xFFFFFFFF);
        ctx.env.set_xcr0(ctx.out.guest_xcr0);
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_EPT_VIOLATION:
        return handle_ept_violation(v, r, ctx);
    case ExitReason::EXIT_REASON_EPT_MISCONFIG:
        // A malformed EPT entry is the hypervisor's bug, not the guest's: stop and name the GPA.
        kern::snformat(line, sizeof line, "guest '%s': EPT misconfiguration at guest-physical %#lx",
                       ctx.config.name, v.read(GUEST_PHYSICAL_ADDRESS));
        ctx.env.log(line);
        return stop(ctx, GuestEnd::unhandled_exit, v.read(GUEST_PHYSICAL_ADDRESS));
    case ExitReason::EXIT_REASON_TRIPLE_FAULT:
        return stop(ctx, GuestEnd::triple_fault, 0);
    case ExitReason::EXIT_REASON_INIT_SIGNAL:
    case ExitReason::EXIT_REASON_SIPI_SIGNAL:
        // A single-vCPU test guest has no use for INIT/SIPI: ignore them, as a CPU in
        // wait-for-SIPI would for a second INIT.
        return false;
    case ExitReason::EXIT_REASON_PREEMPTION_TIMER:
        return false; // the run loop checks the guest's total time
    default:
        kern::snformat(line, sizeof line,
                       "guest '%s': unhandled exit %s (%u), qualification %#lx, RIP %#lx",
                       ctx.config.name, exit_reason_name(reason), reason,
                       v.read(EXIT_QUALIFICATION), v.read(GUEST_RIP));
        ctx.env.log(line);
        return stop(ctx, GuestEnd::unhandled_exit, reason);
    }
}

} // namespace exits

} // namespace hv
