#include "hypervisor/exits.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/core/cpuid_policy.h"
#include "hypervisor/core/hypercall.h"
#include "hypervisor/core/hypercall_dispatch.h"

namespace hv {

namespace {
namespace cpu = kern::cpu;

/// Skip the instruction that caused the exit (SDM 28.2.4: VM_EXIT_INSTRUCTION_LEN is valid for
/// instruction-caused exits such as CPUID, VMCALL, RDMSR, I/O).
void skip_instruction(Vmcs<RealVmcs>& v) { v.write(GUEST_RIP, v.read(GUEST_RIP) + v.read(VM_EXIT_INSTRUCTION_LEN)); }

/// The guest's CPL is its SS.DPL (SDM Vol 3A 5.5; the VMCS keeps SS access rights).
unsigned guest_cpl(Vmcs<RealVmcs>& v) { return (v.read(GUEST_SS_AR_BYTES) >> 5) & 3; }

/// CPUID: the host CPU's answer through the guest's CPUID policy (lab 5).
void emulate_cpuid(GuestRegs& r) {
    uint32_t leaf = uint32_t(r.rax), sub = uint32_t(r.rcx);
    cpu::CpuidResult h = cpu::cpuid(leaf, sub);
    CpuidRegs g = guest_cpuid(leaf, sub, CpuidRegs{h.eax, h.ebx, h.ecx, h.edx});
    r.rax = g.eax;
    r.rbx = g.ebx;
    r.rcx = g.ecx;
    r.rdx = g.edx;
}

/// The host address of guest-physical [gpa, gpa + n) if it lies in guest RAM, else nullptr.
} // namespace

const uint8_t* guest_bytes(GuestContext& ctx, uint64_t gpa, uint64_t n) {
    if (gpa < ctx.ram_gpa || n > ctx.config.ram_bytes || gpa - ctx.ram_gpa > ctx.config.ram_bytes - n)
        return nullptr;
    return ctx.ram + (gpa - ctx.ram_gpa);
}

namespace {

/// The hypervisor's side of a hypercall: guest RAM, the console, the launcher's report.
struct GuestHypercallEnv final : HypercallEnv {
    GuestContext& ctx;
    explicit GuestHypercallEnv(GuestContext& c) : ctx(c) {}
    const uint8_t* guest_bytes(uint64_t gpa, uint64_t n) override { return hv::guest_bytes(ctx, gpa, n); }
    void print(const uint8_t* text, size_t n) override {
        char buf[HC_PRINT_MAX + 1];
        n = n > HC_PRINT_MAX ? HC_PRINT_MAX : n;
        for (size_t i = 0; i < n; ++i) // only printable ASCII reaches the master's console
            buf[i] = (text[i] >= 0x20 && text[i] < 0x7F) ? char(text[i]) : '.';
        buf[n] = '\0';
        kern::kprintf("[%s] %s\n", ctx.config.name, buf);
        ++ctx.out.prints;
    }
    void report(uint64_t a, uint64_t b, uint64_t c) override {
        ctx.out.report[0] = a;
        ctx.out.report[1] = b;
        ctx.out.report[2] = c;
        ctx.out.reported = true;
    }
};

/// VMCALL: the decision is lab 5's dispatch_hypercall(); this applies it. True = stop.
bool hypercall(Vmcs<RealVmcs>& v, GuestRegs& r, GuestContext& ctx) {
    GuestHypercallEnv env(ctx);
    HypercallResult res = dispatch_hypercall(r.rax, r.rbx, r.rcx, r.rdx, guest_cpl(v), env);
    if (res.stop) {
        ctx.out.end = GuestEnd::exited;
        ctx.out.detail = res.exit_code;
        return true;
    }
    if (res.rax < 0)
        ++ctx.out.bad_hypercalls;
    r.rax = uint64_t(res.rax);
    skip_instruction(v);
    return false;
}

void dump_guest(Vmcs<RealVmcs>& v, const GuestRegs& r, const char* name) {
    kern::kprintf("guest '%s' state: RIP %#lx RSP %#lx RFLAGS %#lx CR0 %#lx CR3 %#lx CR4 %#lx\n", name,
                  v.read(GUEST_RIP), v.read(GUEST_RSP), v.read(GUEST_RFLAGS), v.read(GUEST_CR0), v.read(GUEST_CR3),
                  v.read(GUEST_CR4));
    kern::kprintf("  RAX %#lx RBX %#lx RCX %#lx RDX %#lx RSI %#lx RDI %#lx\n", r.rax, r.rbx, r.rcx, r.rdx, r.rsi,
                  r.rdi);
}
} // namespace

bool handle_exit(Vmcs<RealVmcs>& v, GuestRegs& r, GuestContext& ctx) {
    ExitReasonInfo info = ExitReasonInfo::decode(v.read(VM_EXIT_REASON));
    uint16_t reason = info.basic;
    if (reason < EXIT_REASON_COUNT)
        ++ctx.out.exits[reason];
    ++ctx.out.total_exits;
    if (info.vm_entry_failure) {
        kern::kprintf("guest '%s': VM entry failed while loading guest state: %s, qualification %#lx\n",
                      ctx.config.name, exit_reason_name(reason), v.read(EXIT_QUALIFICATION));
        ctx.out.end = GuestEnd::entry_failed;
        ctx.out.detail = reason;
        return true;
    }
    switch (ExitReason(reason)) {
    case ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT:
        return false; // the master took it (run_guest enabled interrupts after the exit)
    case ExitReason::EXIT_REASON_CPUID:
        emulate_cpuid(r);
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_VMCALL:
        return hypercall(v, r, ctx);
    case ExitReason::EXIT_REASON_HLT:
        ctx.out.end = GuestEnd::halted;
        return true;
    case ExitReason::EXIT_REASON_IO_INSTRUCTION: {
        // Every port is denied: reads see all ones (a floating bus), writes are dropped.
        IoExitInfo io = IoExitInfo::decode(v.read(EXIT_QUALIFICATION));
        if (io.input && !io.string) {
            uint64_t ones = io.size == 1 ? 0xFF : io.size == 2 ? 0xFFFF : 0xFFFFFFFF;
            r.rax = (r.rax & ~ones) | ones;
        }
        skip_instruction(v);
        return false;
    }
    case ExitReason::EXIT_REASON_MSR_READ:
        r.rax = r.rdx = 0; // every MSR reads as 0 and ignores writes: nothing reaches the host's
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_MSR_WRITE:
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_EPT_VIOLATION:
        ctx.out.end = GuestEnd::ept_violation;
        ctx.out.detail = v.read(GUEST_PHYSICAL_ADDRESS);
        return true;
    case ExitReason::EXIT_REASON_TRIPLE_FAULT:
        ctx.out.end = GuestEnd::triple_fault;
        dump_guest(v, r, ctx.config.name);
        return true;
    case ExitReason::EXIT_REASON_PREEMPTION_TIMER:
        return false; // run_guest checks the guest's total time
    default:
        kern::kprintf("guest '%s': unhandled exit %s (%u), qualification %#lx\n", ctx.config.name,
                      exit_reason_name(reason), reason, v.read(EXIT_QUALIFICATION));
        dump_guest(v, r, ctx.config.name);
        ctx.out.end = GuestEnd::unhandled_exit;
        ctx.out.detail = reason;
        return true;
    }
}

} // namespace hv
