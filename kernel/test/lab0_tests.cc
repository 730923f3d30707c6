// Lab 0 in-kernel tests: the lab-0 code compiled with the kernel's flags and run on the
// (emulated) machine, where the host tests cannot reach: real kprintf (step 1), real traps
// (step 2), real stack frames (step 3). In step order: a run stops at the first trap that
// goes wrong, and the steps before it have been graded by then.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/probe.h"
#include "arch/x86_64/trap.h"
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "core/backtrace.h"
#include "core/format.h"
#include "lib/string.h"
#include "test/ktest.h"

namespace {

bool expect_format(kern::KTestContext& t, const char* expected, const char* fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    kern::vsnformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (strcmp(buf, expected) != 0) {
        t.fail("format \"%s\" gave \"%s\", expected \"%s\"", fmt, buf, expected);
        return false;
    }
    return true;
}

bool probe_reader(uint64_t addr, uint64_t* out) {
    return probe_read_u64(reinterpret_cast<const volatile uint64_t*>(addr), out);
}

// A known call chain: outer -> middle -> inner. Each level records the return address the CPU
// pushed, which is what a correct walk must find, in order.
uint64_t g_expected[3];
uint64_t g_found[8];
size_t g_found_count;

[[gnu::noinline]] void inner() {
    g_expected[0] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    g_found_count = kern::walk_frames(kern::cpu::read_rbp(), probe_reader, g_found, 8);
    asm volatile("" ::: "memory");
}
[[gnu::noinline]] void middle() {
    g_expected[1] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    inner();
    asm volatile("" ::: "memory");
}
[[gnu::noinline]] void outer() {
    g_expected[2] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    middle();
    asm volatile("" ::: "memory");
}

} // namespace

// ---- Step 1: printing numbers. ----

KTEST(lab0, kprintf_decimal) {
    expect_format(t, "42|   42|42   |00042|-42|+7", "%d|%5d|%-5d|%05d|%d|%+d", 42, 42, 42, 42, -42,
                  7) &&
        expect_format(t, "18446744073709551615", "%lu", ~0UL) &&
        expect_format(t, "-9223372036854775808", "%ld", -9223372036854775807L - 1);
}

KTEST(lab0, kprintf_hex_and_pointers) {
    expect_format(t, "ff|FF|0xff|0x000000ff|377", "%x|%X|%#x|%#010x|%o", 255u, 255u, 255u, 255u,
                  255u) &&
        expect_format(t, "0x00000000001000f0", "%p", reinterpret_cast<void*>(0x1000f0)) &&
        expect_format(t, "0b1011", "%#b", 11u);
}

// ---- Step 2: traps. Each test goes through the student's IDT (idt.cc) and entry code
// (trap_entry.S) to trap_dispatch and back. ----

extern "C" char __kernel_start[], __text_end[]; // kernel.ld: the kernel's code lies between

namespace {
using kern::TrapFrame;

/// The 16 bytes of IDT gate `v` as the CPU reads them (SIDT gives the table's base).
struct RawGate {
    uint64_t low, high;
};
RawGate idt_gate(unsigned v, uint16_t* limit = nullptr) {
    kern::cpu::DescriptorTableRegister idtr{};
    asm volatile("sidt %0" : "=m"(idtr));
    if (limit) *limit = idtr.limit;
    const auto* gates = reinterpret_cast<const RawGate*>(idtr.base);
    return gates[v];
}
uint64_t field(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((uint64_t(1) << (hi - lo + 1)) - 1);
}
/// Where gate `g` sends the CPU (SDM Vol 3A Figure 7-8: offset 15:0, 31:16, 63:32).
uint64_t gate_target(const RawGate& g) {
    return field(g.low, 15, 0) | field(g.low, 63, 48) << 16 | field(g.high, 31, 0) << 32;
}

/// The general-purpose registers in TrapFrame's order (rax first is TrapFrame's last: see
/// regs_of()).
constexpr int GPRS = 15;
/// What the software-interrupt test loads before INT and finds after it: in[] in the order
/// rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15; out[] the same registers after IRETQ; rsp the
/// stack pointer at the INT instruction.
struct RegBlock {
    uint64_t in[GPRS];
    uint64_t out[GPRS];
    uint64_t rsp;
};
RegBlock g_regs;
TrapFrame g_seen;           // the frame the handler got
uint64_t g_handler_rbp;     // its frame pointer: 16-byte aligned iff trap_dispatch was called so
uint64_t g_handler_rsp;     // its stack pointer
uint64_t g_handler_rflags;  // its RFLAGS (DF must be clear)
uint64_t g_handler_gs_base; // IA32_GS_BASE while it ran
unsigned g_handler_calls;
bool g_handler_back_to_kernel; // turn a (fake) user frame into a kernel one

constexpr uint64_t HANDLER_RAX = 0x600DCAFE00000001ull, HANDLER_R15 = 0x600DCAFE0000000Full;

void on_test_trap(TrapFrame& f) {
    ++g_handler_calls;
    g_seen = f;
    g_handler_rbp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    asm volatile("mov %%rsp, %0" : "=r"(g_handler_rsp));
    g_handler_rflags = kern::cpu::read_rflags();
    g_handler_gs_base = kern::cpu::rdmsr(kern::x86::IA32_GS_BASE);
    f.rax = HANDLER_RAX; // a handler's change to the frame must reach the interrupted code
    f.r15 = HANDLER_R15;
    if (g_handler_back_to_kernel) {
        f.cs = kern::x86::KERNEL_CS;
        f.ss = kern::x86::KERNEL_DS;
    }
}

/// The frame's general-purpose registers in RegBlock order.
void regs_of(const TrapFrame& f, uint64_t* r) {
    const uint64_t v[GPRS] = {f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.r8,
                              f.r9,  f.r10, f.r11, f.r12, f.r13, f.r14, f.r15};
    for (int i = 0; i < GPRS; ++i)
        r[i] = v[i];
}

const char* const GPR_NAMES[GPRS] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                     "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/// Load every register from g_regs.in, set RFLAGS.DF, INT 0x40, and store every register after
/// IRETQ in g_regs.out. `int_return` is the address right after the INT.
extern "C" char lab0_int_return[];
[[gnu::noinline]] void int_with_known_registers() {
    RegBlock* b = &g_regs;
    static_assert(kern::VEC_TEST_TRAP == 0x40, "the INT below");
    asm volatile("push %%rbp\n\t"
                 "push %%rbx\n\t"
                 "push %%r12\n\t"
                 "push %%r13\n\t"
                 "push %%r14\n\t"
                 "push %%r15\n\t"
                 "push %0\n\t" // the block, for after the INT
                 "mov %0, %%rax\n\t"
                 "mov %%rsp, 240(%%rax)\n\t"
                 "mov 8(%%rax), %%rbx\n\t"
                 "mov 16(%%rax), %%rcx\n\t"
                 "mov 24(%%rax), %%rdx\n\t"
                 "mov 32(%%rax), %%rsi\n\t"
                 "mov 40(%%rax), %%rdi\n\t"
                 "mov 48(%%rax), %%rbp\n\t"
                 "mov 56(%%rax), %%r8\n\t"
                 "mov 64(%%rax), %%r9\n\t"
                 "mov 72(%%rax), %%r10\n\t"
                 "mov 80(%%rax), %%r11\n\t"
                 "mov 88(%%rax), %%r12\n\t"
                 "mov 96(%%rax), %%r13\n\t"
                 "mov 104(%%rax), %%r14\n\t"
                 "mov 112(%%rax), %%r15\n\t"
                 "mov 0(%%rax), %%rax\n\t"
                 "std\n\t"
                 "int $0x40\n\t"
                 ".global lab0_int_return\n"
                 "lab0_int_return:\n\t"
                 "cld\n\t"
                 "push %%rax\n\t"
                 "mov 8(%%rsp), %%rax\n\t"
                 "mov %%rbx, 128(%%rax)\n\t"
                 "mov %%rcx, 136(%%rax)\n\t"
                 "mov %%rdx, 144(%%rax)\n\t"
                 "mov %%rsi, 152(%%rax)\n\t"
                 "mov %%rdi, 160(%%rax)\n\t"
                 "mov %%rbp, 168(%%rax)\n\t"
                 "mov %%r8, 176(%%rax)\n\t"
                 "mov %%r9, 184(%%rax)\n\t"
                 "mov %%r10, 192(%%rax)\n\t"
                 "mov %%r11, 200(%%rax)\n\t"
                 "mov %%r12, 208(%%rax)\n\t"
                 "mov %%r13, 216(%%rax)\n\t"
                 "mov %%r14, 224(%%rax)\n\t"
                 "mov %%r15, 232(%%rax)\n\t"
                 "pop %%rcx\n\t"
                 "mov %%rcx, 120(%%rax)\n\t"
                 "add $8, %%rsp\n\t"
                 "pop %%r15\n\t"
                 "pop %%r14\n\t"
                 "pop %%r13\n\t"
                 "pop %%r12\n\t"
                 "pop %%rbx\n\t"
                 "pop %%rbp"
                 :
                 : "r"(b)
                 : "memory", "cc", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
}
static_assert(offsetof(RegBlock, out) == 120 && offsetof(RegBlock, rsp) == 240, "the asm above");

/// Enter the trap path for VEC_TEST_TRAP as if from user mode: jump to the gate's target with
/// a frame whose CS is the user code segment (nothing runs in ring 3). The handler turns the
/// frame into a kernel one, so IRETQ comes back here.
[[gnu::noinline]] void fake_user_trap(uint64_t target) {
    asm volatile("mov %%rsp, %%rax\n\t"
                 "push %[ss]\n\t"
                 "push %%rax\n\t"
                 "pushfq\n\t"
                 "push %[cs]\n\t"
                 "lea 1f(%%rip), %%rax\n\t"
                 "push %%rax\n\t"
                 "jmp *%[target]\n"
                 "1:"
                 :
                 : [ss] "i"(uint64_t(kern::x86::USER_DS)), [cs] "i"(uint64_t(kern::x86::USER_CS)),
                   [target] "r"(target)
                 : "memory", "cc", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                   "r15"); // the handler changes RAX and R15
}

void reset_handler_record() {
    g_handler_calls = 0;
    g_handler_back_to_kernel = false;
    memset(&g_seen, 0, sizeof g_seen);
}
} // namespace

KTEST(lab0, idt_has_a_gate_for_every_vector) {
    uint16_t limit = 0;
    idt_gate(0, &limit);
    KREQUIRE(limit == 256 * 16 - 1);
    for (unsigned v = 0; v < 256; ++v) {
        RawGate g = idt_gate(v);
        uint64_t target = gate_target(g);
        unsigned ist = unsigned(field(g.low, 34, 32)), dpl = unsigned(field(g.low, 46, 45));
        unsigned want_ist = v == kern::VEC_DF    ? kern::IST_DF
                            : v == kern::VEC_NMI ? kern::IST_NMI
                            : v == kern::VEC_MC  ? kern::IST_MC
                                                 : 0u;
        unsigned want_dpl = v == kern::VEC_BP ? 3 : 0;
        const char* wrong = !field(g.low, 47, 47)                          ? "not present"
                            : field(g.low, 43, 40) != 0xE                  ? "not an interrupt gate"
                            : field(g.low, 31, 16) != kern::x86::KERNEL_CS ? "not KERNEL_CS"
                            : field(g.low, 44, 44) || field(g.low, 39, 35) || field(g.high, 63, 32)
                                ? "reserved bits set"
                            : ist != want_ist ? "the wrong IST"
                            : dpl != want_dpl ? "the wrong DPL"
                            : target < reinterpret_cast<uint64_t>(__kernel_start) ||
                                    target >= reinterpret_cast<uint64_t>(__text_end)
                                ? "a target outside the kernel's code"
                                : nullptr;
        if (wrong) {
            t.fail("IDT gate %u: %s (raw %016lx %016lx; IST %u, DPL %u, target %p)", v, wrong,
                   g.high, g.low, ist, dpl, reinterpret_cast<void*>(target));
            return;
        }
    }
    // trap_dispatch tells vectors apart by what the entry code pushed, not by the gate: no two
    // vectors may share their first instruction.
    for (unsigned v = 0; v < 256; ++v)
        for (unsigned w = v + 1; w < 256; ++w)
            if (gate_target(idt_gate(v)) == gate_target(idt_gate(w))) {
                t.fail("IDT gates %u and %u lead to the same code", v, w);
                return;
            }
}

KTEST(lab0, software_interrupt_reaches_its_handler_with_a_full_frame) {
    kern::trap_register(kern::VEC_TEST_TRAP, on_test_trap);
    reset_handler_record();
    for (int i = 0; i < GPRS; ++i)
        g_regs.in[i] = 0x1111111111111111ull * uint64_t(i + 1) ^ 0x8000000000000000ull;
    int_with_known_registers();
    kern::trap_register(kern::VEC_TEST_TRAP, nullptr);
    KREQUIRE(g_handler_calls == 1);
    KCHECK(g_seen.vector == kern::VEC_TEST_TRAP);
    KCHECK(g_seen.error_code == 0);
    uint64_t seen[GPRS];
    regs_of(g_seen, seen);
    for (int i = 0; i < GPRS; ++i)
        if (seen[i] != g_regs.in[i])
            t.fail("the frame's %s is %#lx, the interrupted code had %#lx", GPR_NAMES[i], seen[i],
                   g_regs.in[i]);
    KCHECK(g_seen.rip == reinterpret_cast<uint64_t>(lab0_int_return));
    KCHECK(g_seen.cs == kern::x86::KERNEL_CS);
    KCHECK(g_seen.rsp == g_regs.rsp);
    KCHECK(g_seen.rflags & kern::x86::RFLAGS_DF); // the interrupted code had set it
    if (g_handler_rflags & kern::x86::RFLAGS_DF)
        t.fail("trap_dispatch ran with RFLAGS.DF set: the C++ ABI wants it clear");
    if (g_handler_rbp % 16 != 0)
        t.fail("trap_dispatch was called with a stack not aligned to 16 bytes");
    if (g_handler_rsp > g_regs.rsp || g_regs.rsp - g_handler_rsp > 4096)
        t.fail("INT 0x40 switched stacks (handler RSP %#lx, interrupted RSP %#lx): only #DF, NMI "
               "and #MC have IST stacks",
               g_handler_rsp, g_regs.rsp);
    if (g_handler_gs_base != reinterpret_cast<uint64_t>(&kern::this_cpu()))
        t.fail("GS base in the handler is %#lx, not this CPU's PerCpu: a trap from the kernel "
               "must not SWAPGS",
               g_handler_gs_base);
    // After IRETQ: every register as the frame had it, the handler's two changes included.
    for (int i = 0; i < GPRS; ++i) {
        uint64_t want = i == 0 ? HANDLER_RAX : i == GPRS - 1 ? HANDLER_R15 : g_regs.in[i];
        if (g_regs.out[i] != want)
            t.fail("after the interrupt %s is %#lx, the frame said %#lx", GPR_NAMES[i],
                   g_regs.out[i], want);
    }
}

KTEST(lab0, exceptions_with_and_without_error_codes) {
    // Above the 4 GiB that entry.S maps: not present. A read, then a write: #PF error codes 0
    // and 2 (SDM Vol 3A 4.7: P=0, W/R). A non-canonical address: #GP(0), no CR2.
    volatile uint64_t* unmapped = reinterpret_cast<volatile uint64_t*>(0x140000000ull);
    uint64_t v = 0;
    KREQUIRE(!probe_read_u64(unmapped, &v));
    kern::ProbeFault f = kern::probe_last_fault();
    KCHECK(f.vector == kern::VEC_PF && f.cr2 == 0x140000000ull && f.error_code == 0);
    KREQUIRE(!probe_write_u64(unmapped, 1));
    f = kern::probe_last_fault();
    KCHECK(f.vector == kern::VEC_PF && f.cr2 == 0x140000000ull && f.error_code == 2);
    KREQUIRE(!probe_read_u64(reinterpret_cast<volatile uint64_t*>(0x8000000000000000ull), &v));
    f = kern::probe_last_fault();
    KCHECK(f.vector == kern::VEC_GP && f.error_code == 0);
    // And a probe that does not fault still works: the entry code left nothing behind.
    uint64_t here = 0x5eed;
    KCHECK(probe_read_u64(&here, &v) && v == 0x5eed);
}

KTEST(lab0, nmi_runs_on_its_own_stack) {
    // INT 2 goes through the NMI gate, IST switch included (SDM Vol 3A 7.14.5).
    kern::trap_register(kern::VEC_NMI, on_test_trap);
    reset_handler_record();
    asm volatile("int $2" ::: "memory", "rax", "r15");
    kern::trap_register(kern::VEC_NMI, nullptr);
    KREQUIRE(g_handler_calls == 1);
    KCHECK(g_seen.vector == kern::VEC_NMI && g_seen.error_code == 0);
    uint64_t top = kern::this_cpu().tss.ist[kern::IST_NMI - 1];
    if (g_handler_rsp >= top || g_handler_rsp < top - kern::IST_STACK_SIZE)
        t.fail("the NMI handler ran at RSP %#lx, not on IST%u (%#lx-%#lx)", g_handler_rsp,
               unsigned(kern::IST_NMI), top - kern::IST_STACK_SIZE, top);
}

KTEST(lab0, trap_from_user_mode_runs_with_the_kernel_gs) {
    // A trap whose frame says CS = user: the entry code must SWAPGS, so that the handler finds
    // this CPU's PerCpu in GS base (what a user program left there is not to be trusted).
    uint64_t target = gate_target(idt_gate(kern::VEC_TEST_TRAP));
    uint64_t percpu = reinterpret_cast<uint64_t>(&kern::this_cpu());
    uint64_t kernel_gs_before = kern::cpu::rdmsr(kern::x86::IA32_KERNEL_GS_BASE);
    constexpr uint64_t USER_GS = 0x00005A5A00000000ull;
    kern::trap_register(kern::VEC_TEST_TRAP, on_test_trap);
    reset_handler_record();
    g_handler_back_to_kernel = true;
    // As in user mode: GS base is the user's, the kernel's waits in IA32_KERNEL_GS_BASE.
    kern::cpu::wrmsr(kern::x86::IA32_KERNEL_GS_BASE, percpu);
    kern::cpu::wrmsr(kern::x86::IA32_GS_BASE, USER_GS);
    fake_user_trap(target);
    kern::cpu::wrmsr(kern::x86::IA32_GS_BASE, percpu); // this_cpu() works again from here
    kern::cpu::wrmsr(kern::x86::IA32_KERNEL_GS_BASE, kernel_gs_before);
    kern::trap_register(kern::VEC_TEST_TRAP, nullptr);
    KREQUIRE(g_handler_calls == 1);
    KCHECK(g_seen.cs == kern::x86::USER_CS);
    if (g_handler_gs_base != percpu)
        t.fail("GS base in the handler of a trap from user mode is %#lx, not this CPU's PerCpu "
               "(%#lx)",
               g_handler_gs_base, percpu);
}

// ---- Step 3: backtraces. ----

KTEST(lab0, backtrace_walks_real_frames) {
    outer();
    KREQUIRE(g_found_count >= 3);
    for (int i = 0; i < 3; ++i) {
        if (g_found[i] != g_expected[i]) {
            t.fail("frame %d: found return address %p, the CPU pushed %p", i,
                   reinterpret_cast<void*>(g_found[i]), reinterpret_cast<void*>(g_expected[i]));
            return;
        }
    }
}

KTEST(lab0, backtrace_survives_a_corrupt_frame_pointer) {
    uint64_t rips[4];
    // An unmapped, non-canonical frame pointer: the walk must stop without faulting.
    KCHECK(kern::walk_frames(0x8000000000000000ull, probe_reader, rips, 4) == 0);
    // A frame that links to itself must not loop; it yields at most one entry.
    alignas(16) uint64_t self_frame[2];
    self_frame[0] = reinterpret_cast<uint64_t>(&self_frame[0]);
    self_frame[1] = 0x1234;
    size_t n = kern::walk_frames(reinterpret_cast<uint64_t>(self_frame), probe_reader, rips, 4);
    KCHECK(n == 1);
    KCHECK(n >= 1 && rips[0] == 0x1234);
}
