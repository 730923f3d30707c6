// The C++ side of every trap (idt.cc points the IDT at trap_entry.S, which builds the frame):
// device interrupts go to registered handlers; a probe's fault resumes at its fix-up; a user
// program's fault ends that program; any other exception is fatal and reported with everything
// needed to debug it.
#include "arch/x86_64/trap.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/probe.h"
#include "console/console.h"
#include "panic.h"
#include "proc/process.h"

extern "C" char probe_read_insn[], probe_read_fixup[], probe_write_insn[], probe_write_fixup[];

namespace kern {

namespace {
TrapHandler g_handlers[256];
ProbeFault g_probe_faults[MAX_CPUS];

const char* const EXCEPTION_NAMES[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack-segment fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 floating-point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating-point",
    "#VE virtualization exception",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

/// Decode a page-fault error code (SDM Vol 3A 4.7, Figure 4-12).
void print_page_fault_cause(uint64_t ec, uint64_t cr2) {
    kprintf("  page fault at %p: %s %s in %s mode%s%s%s\n", reinterpret_cast<void*>(cr2),
            (ec & 1) ? "protection violation on" : "not-present page,",
            (ec & 0x10) ? "instruction fetch"
            : (ec & 2)  ? "write"
                        : "read",
            (ec & 4) ? "user" : "supervisor",
            (ec & 8) ? ", reserved bit set in a paging entry" : "",
            (ec & 0x20) ? ", protection key" : "", (ec & 0x40) ? ", shadow stack" : "");
}

[[noreturn]] void fatal_exception(const TrapFrame& f) {
    uint64_t cr2 = cpu::read_cr2();
    unsigned cpu_index = cpus_online() ? this_cpu().index : 0;
    panic_begin();
    kprintf("\n*** CPU %u: unhandled exception %lu (%s), error code %#lx\n", cpu_index, f.vector,
            vector_name(f.vector), f.error_code);
    if (f.vector == VEC_PF) print_page_fault_cause(f.error_code, cr2);
    kprintf("  RIP %04lx:%p  RSP %04lx:%p  RFLAGS %#lx\n", f.cs, reinterpret_cast<void*>(f.rip),
            f.ss, reinterpret_cast<void*>(f.rsp), f.rflags);
    kprintf("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    kprintf("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", f.rsi, f.rdi, f.rbp, f.r8);
    kprintf("  R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", f.r9, f.r10, f.r11, f.r12);
    kprintf("  R13 %016lx R14 %016lx R15 %016lx\n", f.r13, f.r14, f.r15);
    kprintf("  CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", cpu::read_cr0(), cr2,
            cpu::read_cr3(), cpu::read_cr4());
    panic_end(f.rip, f.rbp, vector_name(f.vector));
}
} // namespace

const char* vector_name(uint64_t vector) {
    return vector < 32 ? EXCEPTION_NAMES[vector] : "interrupt";
}

void trap_register(uint8_t vector, TrapHandler handler) {
    g_handlers[vector] = handler;
}

uint64_t probe_fixup_for(uint64_t rip) {
    if (rip == reinterpret_cast<uint64_t>(probe_read_insn))
        return reinterpret_cast<uint64_t>(probe_read_fixup);
    if (rip == reinterpret_cast<uint64_t>(probe_write_insn))
        return reinterpret_cast<uint64_t>(probe_write_fixup);
    return 0;
}

void probe_record_fault(uint64_t vector, uint64_t cr2, uint64_t error_code) {
    g_probe_faults[this_cpu().index] = ProbeFault{vector, cr2, error_code};
}

ProbeFault probe_last_fault() {
    return g_probe_faults[this_cpu().index];
}

} // namespace kern

extern "C" void trap_dispatch(kern::TrapFrame* frame) {
    using namespace kern;
    TrapFrame& f = *frame;
    if (f.vector >= VEC_FIRST_IRQ || f.vector == VEC_NMI) {
        if (TrapHandler h = g_handlers[f.vector]) {
            h(f);
            if ((f.cs & 3) == 3)
                process_check_killed(); // a killed process's thread must not go back to user mode
            return;
        }
        if (f.vector == VEC_SPURIOUS)
            return; // spurious LAPIC interrupts need no EOI (SDM Vol 3A 11.9)
        if (this_cpu().lapic_lent) {
            ++this_cpu().stray_vectors; // left behind by a guest (percpu.h): acknowledge, go on
            if (f.vector != VEC_NMI) lapic::eoi();
            return;
        }
        // The master sends no NMI to itself (panic stops CPUs with a fixed-vector IPI): one
        // arriving here came from outside, such as a slave's IPI that its ICR filter let pass.
        if (f.vector == VEC_NMI)
            PANIC("NMI on a master CPU: the master sends none, so another agent did (a Linux "
                  "slave's IPI that check_icr_write allowed?)");
        PANIC("unexpected interrupt vector %lu (no handler registered)", f.vector);
    }
    if (uint64_t fixup = probe_fixup_for(f.rip)) {
        probe_record_fault(f.vector, f.vector == VEC_PF ? cpu::read_cr2() : 0, f.error_code);
        f.rip = fixup;
        return;
    }
    if ((f.cs & 3) == 3)
        process_fault(f); // the user's fault, not the kernel's: end that process only
    fatal_exception(f);
}
