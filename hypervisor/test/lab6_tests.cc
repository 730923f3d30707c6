// Lab 6 in-kernel tests: guests under EPT, and hostile guests that try to leave their sandbox.
// Each attack must be contained and reported while the master keeps running.
#include "arch/x86_64/time/clock.h"
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "core/format.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/core/ept/dirty_log.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/guest.h"
#include "hypervisor/hypervisor.h"
#include "lib/string.h"
#include "test/ktest.h"

#define GUEST_IMAGE(name) extern "C" const uint8_t name##_start[], name##_end[];

GUEST_IMAGE(guest64_hello)
GUEST_IMAGE(guest_attack_write)
GUEST_IMAGE(guest_attack_read)
GUEST_IMAGE(guest_attack_io)
GUEST_IMAGE(guest_spin)
GUEST_IMAGE(guest_triple_fault)
GUEST_IMAGE(guest_real16)
GUEST_IMAGE(guest_prot32)
GUEST_IMAGE(guest_ept_edit)
GUEST_IMAGE(guest_ept_dirty)

using namespace hv;

namespace {
/// Guest RAM of every lab 6 guest: the first address outside it is 0x400000.
constexpr uint64_t RAM = 4 << 20;

/// Run one guest under EPT (with a time budget in cycles if `budget`); false, with the test
/// failed, if it could not be launched.
/// The test's own exit handler, if any (it hands what it does not handle to handle_exit()).
using ExitHandler = bool (*)(RealVmcs&, GuestRegs&, GuestContext&);

bool run(kern::KTestContext& t, const char* name, const uint8_t* start, const uint8_t* end,
         GuestOutcome& out, uint64_t budget = 0, GuestMode mode = GuestMode::long64,
         ExitHandler handler = nullptr, DirtyLog* dirty = nullptr) {
    if (!hypervisor_available()) {
        t.fail("no guests: %s", hypervisor_unavailable_why());
        return false;
    }
    GuestConfig cfg;
    cfg.name = name;
    cfg.image = start;
    cfg.image_size = size_t(end - start);
    cfg.ram_bytes = RAM;
    cfg.use_ept = true;
    cfg.mode = mode;
    if (budget) {
        cfg.preemption_timer = uint32_t(budget / 10);
        cfg.max_guest_cycles = budget;
    }
    cfg.exit_handler = handler;
    cfg.dirty_log = dirty;
    auto r = run_guest(cfg, out);
    if (!r.ok()) {
        t.fail("run_guest(%s): %s", name, r.error().what);
        return false;
    }
    return true;
}

// The test calls of guest64_ept.S: VMCALLs these tests answer themselves.
constexpr uint64_t TC_PROTECT = 0x6001;    ///< make P read-only
constexpr uint64_t TC_UNMAP = 0x6002;      ///< unmap P + 8 KiB
constexpr uint64_t TC_CHECKPOINT = 0x6003; ///< read the dirty log and arm it again
/// The page the guests work on: the start of their RAM's second 2 MiB page.
constexpr uint64_t P = 0x200000;
constexpr uint64_t KIB4 = 4096;
constexpr uint64_t VMCALL_LENGTH = 3; ///< 0F 01 C1

/// The basic reason of the exit being handled.
uint16_t basic_reason(Vmcs<RealVmcs>& v) {
    return uint16_t(v.read(VM_EXIT_REASON) & 0xFFFF);
}

/// Count an exit the test handles itself, as handle_exit() counts the others.
void count_exit(GuestContext& ctx, ExitReason reason) {
    ++ctx.out.exits[uint16_t(reason)];
    ++ctx.out.total_exits;
}

/// Answer a test call (already counted): skip the VMCALL, RAX = 0.
bool answer_test_call(Vmcs<RealVmcs>& v, GuestRegs& r) {
    v.write(GUEST_RIP, v.read(GUEST_RIP) + VMCALL_LENGTH);
    r.rax = 0;
    return false;
}

/// What the step 2 guest's run saw, filled in by edit_exits().
struct EditRun {
    char why[160];             ///< why an EPT change failed, "" if none did
    unsigned violations;       ///< EPT violations
    uint64_t gpa[2];           ///< the first two violations' guest-physical addresses
    uint64_t qualification[2]; ///< and their exit qualifications
    EptTranslation beside;     ///< P + 4 KiB's translation at the first violation
    EptTranslation first_2m;   ///< guest-physical 0's, then
    uint64_t p_value;          ///< the word at P at the second violation
};
EditRun g_edit;

/// The step 2 guest's exits: its test calls change the EPT with the student's protect() and
/// unmap(); its first EPT violation (the write to read-only P) is let through by making P
/// writable again; its second (the read of the hole) stops it. Everything else: handle_exit().
bool edit_exits(RealVmcs& real, GuestRegs& r, GuestContext& ctx) {
    Vmcs<RealVmcs> v(real);
    const uint16_t reason = basic_reason(v);
    if (reason == uint16_t(ExitReason::EXIT_REASON_VMCALL) &&
        (r.rax == TC_PROTECT || r.rax == TC_UNMAP)) {
        count_exit(ctx, ExitReason::EXIT_REASON_VMCALL);
        const bool protect = r.rax == TC_PROTECT;
        auto done = protect ? ctx.ept->protect(P, KIB4, EPT_READ | EPT_EXECUTE)
                            : ctx.ept->unmap(P + 2 * KIB4, KIB4);
        if (!done.ok()) {
            kern::snformat(g_edit.why, sizeof g_edit.why, "%s failed: %s",
                           protect ? "protect(0x200000, 4 KiB, R|X)" : "unmap(0x202000, 4 KiB)",
                           done.error().what);
            return exits::stop(ctx, GuestEnd::unhandled_exit, r.rax);
        }
        ctx.env.invept(ctx.ept->eptp(false)); // the old translation may be cached
        return answer_test_call(v, r);
    }
    if (reason == uint16_t(ExitReason::EXIT_REASON_EPT_VIOLATION)) {
        count_exit(ctx, ExitReason::EXIT_REASON_EPT_VIOLATION);
        const unsigned i = g_edit.violations++;
        const uint64_t gpa = v.read(GUEST_PHYSICAL_ADDRESS);
        if (i < 2) {
            g_edit.gpa[i] = gpa;
            g_edit.qualification[i] = v.read(EXIT_QUALIFICATION);
        }
        if (i == 0 && gpa == P) {
            auto beside = ctx.ept->translate(P + KIB4);
            auto first = ctx.ept->translate(0);
            if (beside.ok()) g_edit.beside = beside.value();
            if (first.ok()) g_edit.first_2m = first.value();
            if (!ctx.ept->protect(P, KIB4, EPT_PERMS).ok()) {
                kern::snformat(g_edit.why, sizeof g_edit.why,
                               "protect(0x200000, 4 KiB, R|W|X) after the write failed");
                return exits::stop(ctx, GuestEnd::unhandled_exit, gpa);
            }
            ctx.env.invept(ctx.ept->eptp(false));
            return false; // the write runs again
        }
        if (const uint8_t* p = guest_bytes(ctx, P, 8)) memcpy(&g_edit.p_value, p, 8);
        return exits::stop(ctx, GuestEnd::ept_violation, gpa);
    }
    return handle_exit(v, r, ctx);
}

/// Run the step 2 guest; false (the test failed, saying why) if it could not run or an EPT
/// change failed.
bool run_edit_guest(kern::KTestContext& t, GuestOutcome& o) {
    g_edit = EditRun{};
    if (!run(t, "ept-edit", guest_ept_edit_start, guest_ept_edit_end, o, 0, GuestMode::long64,
             edit_exits))
        return false;
    if (g_edit.why[0]) {
        t.fail("%s", g_edit.why);
        return false;
    }
    return true;
}

/// The dirty log of the step 3 guest (4 MiB of RAM), and its first round's copy.
DirtyLog g_dirty{RAM / KIB4};
DirtyLog g_round1{RAM / KIB4};
char g_dirty_why[160];

/// The step 3 guest's exits: its checkpoint copies the log and arms it again (kit code);
/// everything else goes to handle_exit(), and its EPT violations to the student's handler.
bool dirty_exits(RealVmcs& real, GuestRegs& r, GuestContext& ctx) {
    Vmcs<RealVmcs> v(real);
    if (basic_reason(v) == uint16_t(ExitReason::EXIT_REASON_VMCALL) && r.rax == TC_CHECKPOINT) {
        count_exit(ctx, ExitReason::EXIT_REASON_VMCALL);
        g_round1 = *ctx.dirty;
        auto armed = arm_dirty_log(*ctx.ept, *ctx.dirty);
        if (!armed.ok()) {
            kern::snformat(g_dirty_why, sizeof g_dirty_why, "arming the log again: %s",
                           armed.error().what);
            return exits::stop(ctx, GuestEnd::unhandled_exit, r.rax);
        }
        ctx.env.invept(ctx.ept->eptp(false));
        return answer_test_call(v, r);
    }
    return handle_exit(v, r, ctx);
}

/// Run the step 3 guest under dirty logging; false (the test failed) if it could not run.
bool run_dirty_guest(kern::KTestContext& t, GuestOutcome& o) {
    g_dirty = DirtyLog{RAM / KIB4};
    g_round1 = DirtyLog{RAM / KIB4};
    g_dirty_why[0] = '\0';
    if (!run(t, "ept-dirty", guest_ept_dirty_start, guest_ept_dirty_end, o, 0, GuestMode::long64,
             dirty_exits, &g_dirty))
        return false;
    if (g_dirty_why[0]) {
        t.fail("%s", g_dirty_why);
        return false;
    }
    if (o.end != GuestEnd::halted) {
        t.fail("the guest ended with '%s' (detail %#lx) instead of halting", guest_end_name(o.end),
               o.detail);
        return false;
    }
    return true;
}

/// The pages of P's 2 MiB page (the guest's data) that @p log holds.
uint64_t dirty_data_pages(const DirtyLog& log) {
    uint64_t n = 0;
    for (uint64_t page = P / KIB4; page < (P + (2 << 20)) / KIB4; ++page)
        n += log.dirty(page);
    return n;
}

/// How many exits with basic reason `r` the guest took.
uint64_t exit_count(const GuestOutcome& o, ExitReason r) {
    return o.exits[uint16_t(r)];
}
} // namespace

KTEST(lab6, guest_runs_under_ept) {
    GuestOutcome o;
    KREQUIRE(run(t, "hello-ept", guest64_hello_start, guest64_hello_end, o));
    if (o.end != GuestEnd::halted)
        t.fail("ended with '%s' at GPA %#lx instead of halting", guest_end_name(o.end), o.detail);
    KCHECK(o.prints == 1);
}

KTEST(lab6, write_outside_ram_stopped_at_the_first_page) {
    GuestOutcome o;
    KREQUIRE(run(t, "attack-write", guest_attack_write_start, guest_attack_write_end, o));
    if (o.end != GuestEnd::ept_violation || o.detail != RAM)
        t.fail("expected an EPT violation at GPA %#lx (the first page past RAM), got '%s' at %#lx",
               RAM, guest_end_name(o.end), o.detail);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_EPT_VIOLATION) == 1);
}

KTEST(lab6, read_of_host_memory_stopped) {
    GuestOutcome o;
    KREQUIRE(run(t, "attack-read", guest_attack_read_start, guest_attack_read_end, o));
    KCHECK(!o.reported); // it never got to report a value
    if (o.end != GuestEnd::ept_violation || o.detail != 0xFEE00000)
        t.fail("expected an EPT violation at GPA 0xfee00000, got '%s' at %#lx",
               guest_end_name(o.end), o.detail);
}

KTEST(lab6, ports_and_msrs_contained) {
    GuestOutcome o;
    KREQUIRE(run(t, "attack-io", guest_attack_io_start, guest_attack_io_end, o));
    // Reaching here at all means Bochs' shutdown port and QEMU's debug-exit never saw the writes.
    KCHECK(o.end == GuestEnd::halted);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_IO_INSTRUCTION) == 11);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_MSR_WRITE) == 2);
    KCHECK(o.reported && (o.report[0] & 0xFF) == 0xFF); // COM1 read as a floating bus
    KCHECK(o.reported && o.report[1] == 0);             // the guest saw no APIC base
}

KTEST(lab6, spinning_guest_stopped_by_its_budget) {
    KREQUIRE(kern::g_clock.tsc_hz > 0);
    uint64_t budget = kern::g_clock.tsc_hz / 100; // 10 ms of guest time
    GuestOutcome o;
    KREQUIRE(run(t, "spin", guest_spin_start, guest_spin_end, o, budget));
    KCHECK(o.end == GuestEnd::budget_exhausted);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_PREEMPTION_TIMER) >= 1);
    KCHECK(o.guest_cycles >= budget);
}

KTEST(lab6, triple_fault_contained) {
    GuestOutcome o;
    KREQUIRE(run(t, "triple-fault", guest_triple_fault_start, guest_triple_fault_end, o));
    KCHECK(o.end == GuestEnd::triple_fault);
}

KTEST(lab6, real_mode_and_32_bit_guests_run) {
    // Unrestricted guest lets a guest start in real mode or unpaged protected mode; it needs EPT.
    GuestOutcome r16, p32;
    KREQUIRE(run(t, "real-mode", guest_real16_start, guest_real16_end, r16, 0, GuestMode::real16));
    KREQUIRE(run(t, "protected-32", guest_prot32_start, guest_prot32_end, p32, 0,
                 GuestMode::protected32));
    KCHECK(r16.end == GuestEnd::halted && r16.prints == 1 && r16.reported && r16.report[1] == 16);
    KCHECK(p32.end == GuestEnd::halted && p32.prints == 1 && p32.reported && p32.report[1] == 32);
}

GUEST_IMAGE(guest_cr)

KTEST(lab6, cr4_writes_emulated_and_vmx_bits_hidden) {
    GuestOutcome o;
    KREQUIRE(run(t, "cr-access", guest_cr_start, guest_cr_end, o));
    KCHECK(o.end == GuestEnd::halted);
    KREQUIRE(o.reported);
    KCHECK((o.report[0] & 0x2000) == 0);      // the guest never saw the VMXE that VMX forces on
    KCHECK((o.report[1] & 0x2080) == 0x2080); // its own write, as it reads it back
    KCHECK((o.report[2] & kern::x86::CR0_NE) == 0); // nor CR0.NE, which it did not set
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_CR_ACCESS) == 1);
}

GUEST_IMAGE(guest_xsave)

KTEST(lab6, xsetbv_checked_and_loaded_for_the_guest) {
    GuestOutcome o;
    KREQUIRE(run(t, "xsave", guest_xsave_start, guest_xsave_end, o));
    KCHECK(o.end == GuestEnd::halted);
    KREQUIRE(o.reported);
    KCHECK((o.report[0] >> 27) & 1); // CPUID.1:ECX.OSXSAVE follows the guest's CR4
    KCHECK(o.report[1] == 3);        // XGETBV sees the XCR0 it set
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_XSETBV) == 1);
}

GUEST_IMAGE(guest_passthrough)

KTEST(lab6, bitmaps_pass_through_only_what_is_listed) {
    if (!hypervisor_available()) {
        t.fail("no guests: %s", hypervisor_unavailable_why());
        return;
    }
    GuestConfig cfg;
    cfg.name = "passthrough";
    cfg.image = guest_passthrough_start;
    cfg.image_size = size_t(guest_passthrough_end - guest_passthrough_start);
    cfg.ram_bytes = RAM;
    cfg.use_ept = true;
    cfg.pass.ports[cfg.pass.port_count++] = 0x80;
    cfg.pass.msr_reads[cfg.pass.msr_read_count++] = kern::x86::IA32_TIME_STAMP_COUNTER;
    GuestOutcome o;
    auto r = run_guest(cfg, o);
    if (!r.ok()) {
        t.fail("run_guest(passthrough): %s", r.error().what);
        return;
    }
    KCHECK(o.end == GuestEnd::halted);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_IO_INSTRUCTION) == 1); // port 0x81 only
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_MSR_READ) == 0);
    KCHECK(o.reported && o.report[0] != 0); // the real TSC, not the 0 a denied read gives
}

// Step 2: P made read-only while the guest runs. Reads go on, the rest of P's 2 MiB page stays
// writable (protect() split it), and the write to P is an EPT violation that says so.
KTEST(lab6, page_made_read_only_under_a_running_guest) {
    GuestOutcome o;
    KREQUIRE(run_edit_guest(t, o));
    KCHECK(o.reported && o.report[0] == 0x1111); // P still reads
    KCHECK(o.reported && o.report[1] == 0x2223); // its neighbour still writes
    KREQUIRE(g_edit.violations >= 1);
    if (g_edit.gpa[0] != P)
        t.fail("the first EPT violation was at %#lx, not at the read-only page %#lx", g_edit.gpa[0],
               P);
    EptViolationInfo q = EptViolationInfo::decode(g_edit.qualification[0]);
    KCHECK(q.write && q.readable && !q.writable); // a write, to a page the EPT lets it read
    KCHECK(g_edit.beside.page_size == KIB4 && g_edit.beside.perms == EPT_PERMS);
    KCHECK(g_edit.beside.hpa % KIB4 == 0 && g_edit.first_2m.page_size == (2 << 20));
    KCHECK(g_edit.p_value == 0xBAD); // once writable again, the write ran again
}

// Step 2: a page unmapped while the guest runs. The page after it still reads; reading the
// hole is an EPT violation at its address, which stops the guest.
KTEST(lab6, page_unmapped_under_a_running_guest) {
    GuestOutcome o;
    KREQUIRE(run_edit_guest(t, o));
    KCHECK(o.reported && o.report[2] == 0x4444);
    KREQUIRE(g_edit.violations == 2);
    if (g_edit.gpa[1] != P + 2 * KIB4)
        t.fail("the second EPT violation was at %#lx, not at the unmapped page %#lx", g_edit.gpa[1],
               P + 2 * KIB4);
    EptViolationInfo q = EptViolationInfo::decode(g_edit.qualification[1]);
    KCHECK(q.read && !q.write && !q.readable && !q.writable && !q.executable);
    KCHECK(o.end == GuestEnd::ept_violation && o.detail == P + 2 * KIB4);
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_EPT_VIOLATION) == 2);
}

// Step 3: every page the guest writes is logged, once: one EPT violation per page per round,
// and each write lands (the guest reports their sum).
KTEST(lab6, written_pages_logged_once_each) {
    GuestOutcome o;
    KREQUIRE(run_dirty_guest(t, o));
    KCHECK(o.reported && o.report[0] == 25); // every write landed, after its exit
    const uint64_t written[] = {0, 1, 5, 255};
    for (uint64_t page : written)
        if (!g_round1.dirty(P / KIB4 + page)) t.fail("round 1: page %lu of P not logged", page);
    KCHECK(dirty_data_pages(g_round1) == 4); // and nothing else there (page 7 was only read)
    // One exit per page and round: page 5's second write and round 2's others cost none more.
    KCHECK(exit_count(o, ExitReason::EXIT_REASON_EPT_VIOLATION) ==
           g_round1.count() + g_dirty.count());
}

// Step 3: after the checkpoint armed the log again, only the pages written since are in it.
KTEST(lab6, dirty_log_rearmed_at_a_checkpoint) {
    GuestOutcome o;
    KREQUIRE(run_dirty_guest(t, o));
    KCHECK(g_dirty.dirty(P / KIB4 + 5) && g_dirty.dirty(P / KIB4 + 9));
    KCHECK(dirty_data_pages(g_dirty) == 2);
    KCHECK(o.reported && o.report[1] == 6); // round 2's write to page 5
}
