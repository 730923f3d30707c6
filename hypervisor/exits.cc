#include "hypervisor/exits.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/core/hypercall.h"

namespace hv {

namespace {
namespace cpu = kern::cpu;

/// Skip the instruction that caused the exit (SDM 28.2.4: VM_EXIT_INSTRUCTION_LEN is valid for
/// instruction-caused exits such as CPUID, VMCALL, RDMSR, I/O).
void skip_instruction(Vmcs<RealVmcs>& v) { v.write(GUEST_RIP, v.read(GUEST_RIP) + v.read(VM_EXIT_INSTRUCTION_LEN)); }

/// The guest's CPL is its SS.DPL (SDM Vol 3A 5.5; the VMCS keeps SS access rights).
unsigned guest_cpl(Vmcs<RealVmcs>& v) { return (v.read(GUEST_SS_AR_BYTES) >> 5) & 3; }

/// CPUID as the guest should see it: the host's values without VMX (no nesting) and with the
/// hypervisor-present bit (CPUID.1:ECX[31]), plus a vendor leaf 0x40000000 ("vLibOSvLibOS").
void emulate_cpuid(GuestRegs& r) {
    uint32_t leaf = uint32_t(r.rax), sub = uint32_t(r.rcx);
    cpu::CpuidResult c{};
    if (leaf == 0x40000000) {
        c.eax = 0x40000000;
        __builtin_memcpy(&c.ebx, "vLib", 4);
        __builtin_memcpy(&c.ecx, "OSvL", 4);
        __builtin_memcpy(&c.edx, "ibOS", 4);
    } else {
        c = cpu::cpuid(leaf, sub);
        if (leaf == 1) {
            c.ecx &= ~(1u << 5); // VMX
            c.ecx |= 1u << 31;   // hypervisor present
        }
    }
    r.rax = c.eax;
    r.rbx = c.ebx;
    r.rcx = c.ecx;
    r.rdx = c.edx;
}

/// The host address of guest-physical [gpa, gpa + n) if it lies in guest RAM, else nullptr.
const uint8_t* guest_bytes(GuestContext& ctx, uint64_t gpa, uint64_t n) {
    if (gpa < ctx.ram_gpa || n > ctx.config.ram_bytes || gpa - ctx.ram_gpa > ctx.config.ram_bytes - n)
        return nullptr;
    return ctx.ram + (gpa - ctx.ram_gpa);
}

/// VMCALL: validate, then act (hypercall.h). Returns true if the guest must stop.
bool hypercall(Vmcs<RealVmcs>& v, GuestRegs& r, GuestContext& ctx) {
    int64_t result = 0;
    if (guest_cpl(v) != 0) {
        result = -HCE_PERM;
    } else {
        switch (r.rax) {
        case HC_PRINT: {
            // The test guests run with GVA = GPA (identity page tables).
            const uint8_t* text = r.rcx <= HC_PRINT_MAX ? guest_bytes(ctx, r.rbx, r.rcx) : nullptr;
            if (!text) {
                result = r.rcx > HC_PRINT_MAX ? -HCE_INVAL : -HCE_FAULT;
                break;
            }
            char buf[HC_PRINT_MAX + 1];
            for (uint64_t i = 0; i < r.rcx; ++i)
                buf[i] = (text[i] >= 0x20 && text[i] < 0x7F) ? char(text[i]) : '.';
            buf[r.rcx] = '\0';
            kern::kprintf("[%s] %s\n", ctx.config.name, buf);
            ++ctx.out.prints;
            break;
        }
        case HC_REPORT:
            ctx.out.report[0] = r.rbx;
            ctx.out.report[1] = r.rcx;
            ctx.out.report[2] = r.rdx;
            ctx.out.reported = true;
            break;
        case HC_EXIT:
            ctx.out.end = GuestEnd::exited;
            ctx.out.detail = r.rbx;
            return true;
        default: result = -HCE_NOSYS; break;
        }
    }
    if (result < 0)
        ++ctx.out.bad_hypercalls;
    r.rax = uint64_t(result);
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
