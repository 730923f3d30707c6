// Lab 5 in-kernel tests (Bochs: make bochs): VMX root operation on a real CPU (step 1); a VMCS
// with its controls and host state (step 2); a 64-bit guest's state (step 3); VM entry and exit
// (step 4); the guest's CPUID and VMCALL exits and the hypervisor's answers (step 5).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/hypercall.h"
#include "hypervisor/core/vm_instruction_error.h"
#include "hypervisor/core/vmcs_load.h"
#include "hypervisor/core/vmcs_region.h"
#include "hypervisor/core/vmx_controls.h"
#include "hypervisor/guest.h"
#include "hypervisor/hypervisor.h"
#include "hypervisor/vm_host.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "test/ktest.h"

extern "C" const uint8_t guest64_hello_start[], guest64_hello_end[];
extern "C" const uint8_t guest64_regs_start[], guest64_regs_end[];

using namespace hv;

namespace {
/// True if VMX is on; else the test fails with the reason (hypervisor_unavailable_why()).
bool guests_available(kern::KTestContext& t) {
    if (hypervisor_available()) return true;
    t.fail("no guests: %s", hypervisor_unavailable_why());
    return false;
}

/// Step 4's own exit handling, so that entering and leaving the guest are graded without step
/// 5's handle_exit(): it counts each exit by its basic reason, steps over CPUID (0F A2: 2 bytes)
/// and VMCALL (0F 01 C1: 3 bytes) doing nothing else, and stops the guest at HLT or any other
/// exit.
bool step4_exits(RealVmcs& real, GuestRegs&, GuestContext& ctx) {
    Vmcs<RealVmcs> v(real);
    uint16_t reason = uint16_t(v.read(VM_EXIT_REASON) & 0xFFFF);
    if (reason < EXIT_REASON_COUNT) ++ctx.out.exits[reason];
    ++ctx.out.total_exits;
    uint64_t length = reason == uint16_t(ExitReason::EXIT_REASON_CPUID)    ? 2
                      : reason == uint16_t(ExitReason::EXIT_REASON_VMCALL) ? 3
                                                                           : 0;
    if (length) {
        v.write(GUEST_RIP, v.read(GUEST_RIP) + length);
        return false;
    }
    ctx.out.end = reason == uint16_t(ExitReason::EXIT_REASON_HLT) ? GuestEnd::halted
                                                                  : GuestEnd::unhandled_exit;
    ctx.out.detail = reason;
    return true;
}

/// The outcomes of the hello guest's runs: [0] under step4_exits, [1] under handle_exit().
GuestOutcome g_hello[2];
/// True once the hello guest has run under each.
bool g_hello_ran[2];

/// Run the hello guest once under step 4's exit handling (@p step == 4) or under the student's
/// handle_exit() (@p step == 5); the tests of a step look at the same run.
const GuestOutcome* hello_outcome(kern::KTestContext& t, int step) {
    if (!guests_available(t)) return nullptr;
    int i = step == 4 ? 0 : 1;
    if (!g_hello_ran[i]) {
        GuestConfig cfg;
        cfg.name = "hello64";
        cfg.image = guest64_hello_start;
        cfg.image_size = size_t(guest64_hello_end - guest64_hello_start);
        if (step == 4) cfg.exit_handler = step4_exits;
        auto r = run_guest(cfg, g_hello[i]);
        g_hello_ran[i] = true;
        if (!r.ok()) {
            t.fail("run_guest: %s", r.error().what);
            g_hello[i].end = GuestEnd::entry_failed;
        }
    }
    return &g_hello[i];
}
} // namespace

// Step 1: the CPU this test runs on is in VMX root operation once vmx_enable_cpu() (the
// student's vmx_on()) says so. Proof: a second VMXON, with a region that would be fine outside
// VMX operation, fails (SDM Vol 3C 31.3 VMXON: in VMX root operation it is a VMfail).
KTEST(lab5, vmx_root_operation_entered) {
    namespace cpu = kern::cpu;
    if (!(cpu::cpuid(1).ecx & kern::x86::CPUID_1_ECX_VMX)) {
        t.fail("this CPU has no VMX (CPUID.1:ECX[5] = 0): run lab 5 in Bochs, make bochs "
               "ARGS=test=lab5");
        return;
    }
    if (!vmx_enabled()) {
        auto r = vmx_enable_cpu();
        if (!r.ok()) {
            t.fail("vmx_enable_cpu: %s", r.error().what);
            return;
        }
    }
    // Without CR4.VMXE, VMXON would raise #UD: say so instead.
    KREQUIRE((cpu::read_cr4() & kern::x86::CR4_VMXE) != 0);
    auto frame = kern::frame_alloc();
    KREQUIRE(frame.ok());
    memset(reinterpret_cast<void*>(frame.value()), 0, 4096);
    *reinterpret_cast<uint32_t*>(frame.value()) = VmxBasic{vmx_msrs().basic}.revision_id();
    vmx::VmxStatus again = vmx::vmxon(frame.value());
    if (again == vmx::VmxStatus::ok) {
        // It worked: the CPU was not in VMX operation. Leave it as it was found.
        (void)vmx::vmxoff();
        t.fail("a second VMXON succeeded: vmx_on() returned without entering VMX operation");
    }
    kern::frame_free(frame.value());
}

// Step 2: on this CPU, a VMCS made current by the student's vmcs_new_current(), holding the
// controls their check_controls() fitted and the host state their host_state() built: the
// VM-entry checker finds nothing wrong before the guest state, every VMWRITE succeeds, and the
// VMCS reads back this CPU's CR3 and the exit's landing place.
KTEST(lab5, vmcs_current_with_controls_and_host_state) {
    if (!guests_available(t)) return;
    if (!vmx_enabled()) {
        auto on = vmx_enable_cpu();
        KREQUIRE(on.ok());
    }
    const VmxCaps caps = caps_of(vmx_msrs());
    VmxState s{};
    GuestControlRequest req;
    req.use_ept = false;
    req.long_mode = true;
    auto ctl = choose_controls(caps, req, s.ctl);
    if (!ctl.ok()) {
        t.fail("choose_controls: %s", ctl.error().what);
        return;
    }
    capture_host_state(s.host);
    // No guest state yet (that is step 3): the checker judges the controls and the host state
    // first (SDM 27.2, then 27.3), so any refusal must be about the guest.
    EntryCheckFailure why{};
    if (auto ok = check_vm_entry(s, caps, &why); !ok.ok() && strncmp(why.field, "GUEST_", 6) != 0 &&
                                                 strcmp(why.field, "VMCS_LINK_POINTER") != 0) {
        t.fail("VM-entry check: %s: %s (%s)", why.field, why.message, why.section);
        return;
    }
    const uint64_t before = vmx::vmptrst();
    auto made = vmcs_new_current(this_cpu_vmx_ops(), vmx_msrs());
    if (!made.ok()) {
        t.fail("vmcs_new_current: %s", made.error().what);
        return;
    }
    KCHECK(vmx::vmptrst() == made.value());
    RealVmcs real;
    Vmcs<RealVmcs> v(real);
    write_vmx_state(v, s);
    KCHECK(real.ok());
    KCHECK(real.read_raw(HOST_CR3.encoding) == kern::cpu::read_cr3());
    KCHECK(real.read_raw(HOST_RIP.encoding) == reinterpret_cast<uint64_t>(&vmx_exit_entry));
    KCHECK(real.read_raw(HOST_GS_BASE.encoding) == reinterpret_cast<uint64_t>(&kern::this_cpu()));
    KCHECK(*reinterpret_cast<uint32_t*>(made.value()) == VmxBasic{vmx_msrs().basic}.revision_id());
    (void)vmx::vmclear(made.value());
    kern::frame_free(made.value());
    if (before != ~0ull) (void)vmx::vmptrld(before); // put back whatever was current
}

// Step 3: the hello guest's whole state, with the student's 64-bit guest state, passes the
// VM-entry checker on this CPU's capabilities and loads into a VMCS, without entering it.
KTEST(lab5, hello_guest_state_accepted) {
    if (!guests_available(t)) return;
    GuestConfig cfg;
    cfg.name = "hello64-check";
    cfg.image = guest64_hello_start;
    cfg.image_size = size_t(guest64_hello_end - guest64_hello_start);
    cfg.check_only = true;
    GuestOutcome o;
    if (auto r = run_guest(cfg, o); !r.ok()) t.fail("run_guest: %s", r.error().what);
}

// Step 4: the hello guest enters (VMLAUNCH), exits and is resumed (VMRESUME) five times, and
// runs to its HLT through all its exits (2 CPUID, 3 VMCALL, 1 HLT), under the test's own exit
// handling (step4_exits).
KTEST(lab5, hello_guest_enters_and_halts) {
    const GuestOutcome* o = hello_outcome(t, 4);
    KREQUIRE(o);
    if (o->end != GuestEnd::halted)
        t.fail("the guest ended with '%s' (detail %#lx) instead of halting", guest_end_name(o->end),
               o->detail);
    KCHECK(o->exits[uint16_t(ExitReason::EXIT_REASON_CPUID)] == 2);
    KCHECK(o->exits[uint16_t(ExitReason::EXIT_REASON_VMCALL)] == 3);
    KCHECK(o->exits[uint16_t(ExitReason::EXIT_REASON_HLT)] == 1);
}

namespace {
/// Pattern A or B (guest64_regs.S) for the register at place @p n of GuestRegs.
constexpr uint64_t pattern(uint64_t base, unsigned n) {
    return base + n;
}
constexpr uint64_t PATTERN_A = 0xA0A0A0A000000000ull, PATTERN_B = 0xB0B0B0B000000000ull;
} // namespace

// Step 4: VM entry loads every general register and CR2 from GuestRegs, and the VM exit saves
// every one back: the guest finds pattern A in all 16, and the host pattern B after the exit.
KTEST(lab5, entry_loads_and_exit_saves_every_register) {
    if (!guests_available(t)) return;
    GuestRegs a{};
    uint64_t* ra = &a.rax;
    for (unsigned i = 0; i < 16; ++i)
        ra[i] = pattern(PATTERN_A, i);
    GuestConfig cfg;
    cfg.name = "regs64";
    cfg.image = guest64_regs_start;
    cfg.image_size = size_t(guest64_regs_end - guest64_regs_start);
    cfg.initial_regs = &a;
    cfg.exit_handler = step4_exits;
    GuestOutcome o;
    if (auto r = run_guest(cfg, o); !r.ok()) {
        t.fail("run_guest: %s", r.error().what);
        return;
    }
    if (o.end == GuestEnd::triple_fault) {
        t.fail("the guest did not find pattern A in every register (it stopped at RIP %#lx: "
               "see guest64_regs.S for which)",
               o.guest_rip);
        return;
    }
    if (o.end != GuestEnd::halted) {
        t.fail("the guest ended with '%s' (detail %#lx) instead of halting", guest_end_name(o.end),
               o.detail);
        return;
    }
    const uint64_t* rb = &o.final_regs.rax;
    static const char* const names[16] = {"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8",
                                          "R9",  "R10", "R11", "R12", "R13", "R14", "R15", "CR2"};
    for (unsigned i = 0; i < 16; ++i)
        if (rb[i] != pattern(PATTERN_B, i)) {
            t.fail("after the exit, %s is %#lx, not the guest's %#lx", names[i], rb[i],
                   pattern(PATTERN_B, i));
            return;
        }
}

/// What the callee-saved registers held after enter_keeping() (C linkage: the asm names it).
extern "C" {
uint64_t lab5_callee_saved_after[5];
}

namespace {
/// vmx_enter(@p r, @p resume) called with RBX and R12-R15 holding 0xC0..01-05 (the System V
/// ABI's callee-saved registers besides RBP, the frame pointer), which are copied to
/// lab5_callee_saved_after right after it returns.
int enter_keeping(GuestRegs* r, int resume) {
    int rc;
    asm volatile("mov $0xC000000000000001, %%rbx\n\t"
                 "mov $0xC000000000000002, %%r12\n\t"
                 "mov $0xC000000000000003, %%r13\n\t"
                 "mov $0xC000000000000004, %%r14\n\t"
                 "mov $0xC000000000000005, %%r15\n\t"
                 "call vmx_enter\n\t"
                 "mov %%rbx, lab5_callee_saved_after+0(%%rip)\n\t"
                 "mov %%r12, lab5_callee_saved_after+8(%%rip)\n\t"
                 "mov %%r13, lab5_callee_saved_after+16(%%rip)\n\t"
                 "mov %%r14, lab5_callee_saved_after+24(%%rip)\n\t"
                 "mov %%r15, lab5_callee_saved_after+32(%%rip)"
                 : "=a"(rc), "+D"(r), "+S"(resume)
                 :
                 : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                   "memory", "cc");
    return rc;
}

/// True if enter_keeping() found every callee-saved register as it left it.
bool callee_saved_kept() {
    for (unsigned i = 0; i < 5; ++i)
        if (lab5_callee_saved_after[i] != 0xC000000000000001ull + i) return false;
    return true;
}
} // namespace

// Step 4: a failed VM entry comes back as the right EntryResult, with the caller's registers
// intact: VMLAUNCH of an empty VMCS (its controls lack their must-be-one bits) and VMRESUME of
// a VMCS never launched are VMfailValid with errors 7 and 5, VMLAUNCH with no current VMCS is
// VMfailInvalid (SDM Vol 3C 31.2, 31.4).
KTEST(lab5, entry_failures_told_apart) {
    if (!guests_available(t)) return;
    kern::cpu::IrqSave irqs; // one CPU and its current VMCS for the whole test
    if (!vmx_enabled()) KREQUIRE(vmx_enable_cpu().ok());
    const uint64_t before = vmx::vmptrst();
    auto made = vmcs_new_current(this_cpu_vmx_ops(), vmx_msrs());
    KREQUIRE(made.ok());
    GuestRegs r{};
    int rc = enter_keeping(&r, 0);
    if (rc == int(EntryResult::not_written)) {
        t.fail("vmx_enter() is not written yet (lab 5, step 4)");
    } else {
        uint64_t err = 0;
        KCHECK(rc == int(EntryResult::fail_valid));
        KCHECK(vmx::vmread(VM_INSTRUCTION_ERROR.encoding, &err) &&
               err == uint64_t(VmInstructionError::VMXERR_ENTRY_INVALID_CONTROL_FIELD));
        KCHECK(callee_saved_kept());
        rc = enter_keeping(&r, 1);
        KCHECK(rc == int(EntryResult::fail_valid));
        KCHECK(vmx::vmread(VM_INSTRUCTION_ERROR.encoding, &err) &&
               err == uint64_t(VmInstructionError::VMXERR_VMRESUME_NONLAUNCHED_VMCS));
        KCHECK(callee_saved_kept());
        (void)vmx::vmclear(made.value()); // no current VMCS now
        rc = enter_keeping(&r, 0);
        KCHECK(rc == int(EntryResult::fail_invalid));
        KCHECK(callee_saved_kept());
    }
    (void)vmx::vmclear(made.value());
    kern::frame_free(made.value());
    if (before != ~0ull) (void)vmx::vmptrld(before);
}

// Step 5: the hello guest under the student's handle_exit(): its CPUID exits see the guest's
// CPUID, and its report (HC_REPORT) says so.
KTEST(lab5, cpuid_exits_hide_vmx_and_show_the_hypervisor) {
    const GuestOutcome* o = hello_outcome(t, 5);
    KREQUIRE(o && o->reported);
    KCHECK(o->exits[uint16_t(ExitReason::EXIT_REASON_CPUID)] == 2);
    KCHECK((o->report[0] & kern::x86::CPUID_1_ECX_VMX) == 0); // hidden
    KCHECK((o->report[0] & kern::x86::CPUID_1_ECX_HYPERVISOR) != 0);
    uint32_t sig;
    memcpy(&sig, "vLib", 4);
    KCHECK(o->report[1] == sig); // leaf 0x40000000 EBX
}

// Step 5: the same run's hypercalls: one print, one refused number, the report, then HLT.
KTEST(lab5, vmcall_prints_and_refuses_unknown_numbers) {
    const GuestOutcome* o = hello_outcome(t, 5);
    KREQUIRE(o);
    if (o->end != GuestEnd::halted)
        t.fail("the guest ended with '%s' (detail %#lx) instead of halting", guest_end_name(o->end),
               o->detail);
    KCHECK(o->exits[uint16_t(ExitReason::EXIT_REASON_VMCALL)] == 3);
    KCHECK(o->prints == 1);
    KCHECK(o->bad_hypercalls == 1);
    KCHECK(o->reported && int64_t(o->report[2]) == -HCE_NOSYS);
}
