// Lab 6 in-kernel tests: guests under EPT, and hostile guests that try to leave their sandbox.
// Each attack must be contained and reported while the master keeps running.
#include "arch/x86_64/time/clock.h"
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/exit_reason.h"
#include "hypervisor/guest.h"
#include "hypervisor/hypervisor.h"
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

using namespace hv;

namespace {
/// Guest RAM of every lab 6 guest: the first address outside it is 0x400000.
constexpr uint64_t RAM = 4 << 20;

/// Run one guest under EPT (with a time budget in cycles if `budget`); false, with the test
/// failed, if it could not be launched.
bool run(kern::KTestContext& t, const char* name, const uint8_t* start, const uint8_t* end,
         GuestOutcome& out, uint64_t budget = 0, GuestMode mode = GuestMode::long64) {
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
    auto r = run_guest(cfg, out);
    if (!r.ok()) {
        t.fail("run_guest(%s): %s", name, r.error().what);
        return false;
    }
    return true;
}

/// How many exits with basic reason `r` the guest took.
uint64_t exits(const GuestOutcome& o, ExitReason r) {
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
    KCHECK(exits(o, ExitReason::EXIT_REASON_EPT_VIOLATION) == 1);
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
    KCHECK(exits(o, ExitReason::EXIT_REASON_IO_INSTRUCTION) == 11);
    KCHECK(exits(o, ExitReason::EXIT_REASON_MSR_WRITE) == 2);
    KCHECK(o.reported && (o.report[0] & 0xFF) == 0xFF); // COM1 read as a floating bus
    KCHECK(o.reported && o.report[1] == 0);             // the guest saw no APIC base
}

KTEST(lab6, spinning_guest_stopped_by_its_budget) {
    KREQUIRE(kern::g_clock.tsc_hz > 0);
    uint64_t budget = kern::g_clock.tsc_hz / 100; // 10 ms of guest time
    GuestOutcome o;
    KREQUIRE(run(t, "spin", guest_spin_start, guest_spin_end, o, budget));
    KCHECK(o.end == GuestEnd::budget_exhausted);
    KCHECK(exits(o, ExitReason::EXIT_REASON_PREEMPTION_TIMER) >= 1);
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
    KCHECK(exits(o, ExitReason::EXIT_REASON_CR_ACCESS) == 1);
}

GUEST_IMAGE(guest_xsave)

KTEST(lab6, xsetbv_checked_and_loaded_for_the_guest) {
    GuestOutcome o;
    KREQUIRE(run(t, "xsave", guest_xsave_start, guest_xsave_end, o));
    KCHECK(o.end == GuestEnd::halted);
    KREQUIRE(o.reported);
    KCHECK((o.report[0] >> 27) & 1); // CPUID.1:ECX.OSXSAVE follows the guest's CR4
    KCHECK(o.report[1] == 3);        // XGETBV sees the XCR0 it set
    KCHECK(exits(o, ExitReason::EXIT_REASON_XSETBV) == 1);
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
    KCHECK(exits(o, ExitReason::EXIT_REASON_IO_INSTRUCTION) == 1); // port 0x81 only
    KCHECK(exits(o, ExitReason::EXIT_REASON_MSR_READ) == 0);
    KCHECK(o.reported && o.report[0] != 0); // the real TSC, not the 0 a denied read gives
}
