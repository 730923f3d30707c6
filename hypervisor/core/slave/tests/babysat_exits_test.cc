// Babysat mode's decisions replayed on a fake VMCS: what is injected before an entry and what
// each exit means for the caller's run (babysat_exits.h). Lab 5's CPUID policy and lab 7's ICR
// filter are stand-ins (slave_exits_fakes.cc), as in slave_exits_test.
#include "hypervisor/core/slave/babysat_exits.h"
#include "hypervisor/core/slave/tests/slave_rig.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace hv;
using namespace hv::vmx_bits;
using namespace kern::x86;

namespace {

struct Rig : hv::test::SlaveRig {
    VirtualLapic vlapic{1};

    Rig() : SlaveRig(1) {
        vlapic.seed(0x1FF, 0, 0x10000, 0); // software-enabled, timer masked, no deadline
        sctx.vlapic = &vlapic;
    }
    BabysatStep exit(ExitReason r, BabysatClock clock = {1000, 0}) {
        fake.set(VM_EXIT_REASON, uint32_t(r));
        return babysat_exit(vmcs, regs, sctx, clock);
    }
    void prepare(uint64_t budget_left = 1 << 20, BabysatClock clock = {1000, 0}) {
        babysat_prepare_entry(vmcs, sctx, clock, budget_left, 5);
    }
    uint32_t injected() { return uint32_t(fake.get(VM_ENTRY_INTR_INFO_FIELD.encoding)); }
    uint32_t proc() { return uint32_t(fake.get(CPU_BASED_VM_EXEC_CONTROL.encoding)); }
};

} // namespace

TEST_CASE("babysat: the master's interrupt, the budget and a doorbell end the caller's run") {
    Rig rig;
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT);
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::preempted);
    s = rig.exit(ExitReason::EXIT_REASON_PREEMPTION_TIMER);
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::budget);
    rig.regs.rax = HC_DOORBELL;
    s = rig.exit(ExitReason::EXIT_REASON_VMCALL);
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::responded);
    CHECK(rig.slave.rings == 1);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1001);
    CHECK(rig.out.total_exits == 3);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT)] == 1);
}

TEST_CASE("babysat: other exits are the slave's own and the run goes on") {
    Rig rig;
    rig.regs.rax = 0; // CPUID leaf 0
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_CPUID);
    CHECK_FALSE(s.leave);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1001);
    rig.regs.rax = 99; // a hypercall the slave does not have: answered, no doorbell
    s = rig.exit(ExitReason::EXIT_REASON_VMCALL);
    CHECK_FALSE(s.leave);
    CHECK(rig.slave.rings == 0);
    s = rig.exit(ExitReason::EXIT_REASON_INTERRUPT_WINDOW);
    CHECK_FALSE(s.leave);
    CHECK(rig.out.total_exits == 3);
}

TEST_CASE("babysat: an exit after the master's timer was due ends the run, one before does not") {
    Rig rig;
    rig.regs.rax = 0; // CPUID leaf 0: an exit the slave's own, which would resume
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_CPUID, BabysatClock{4999, 0, 5000});
    CHECK_FALSE(s.leave);
    s = rig.exit(ExitReason::EXIT_REASON_CPUID, BabysatClock{5000, 0, 5000});
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::preempted);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1002); // both handled: the guest goes on after
    s = rig.exit(ExitReason::EXIT_REASON_CPUID, BabysatClock{90000, 0, 0}); // no timer
    CHECK_FALSE(s.leave);
}

TEST_CASE("babysat: HLT with interrupts on idles until the slave's next timer, in host time") {
    Rig rig;
    rig.fake.set(GUEST_INTERRUPTIBILITY_INFO, BLOCKING_BY_STI); // sti; hlt
    REQUIRE(rig.vlapic.write(0x6E0, 5000)); // IA32_TSC_DEADLINE, in the slave's clock
    // The slave's clock is 3000 behind the host's: its 5000 is the host's 8000; now is 4000.
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_HLT, BabysatClock{4000, -3000});
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::idle);
    CHECK(s.result.idle_until == 4000 + (5000 - 1000));
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1001); // past the HLT
    CHECK((rig.fake.get(GUEST_INTERRUPTIBILITY_INFO.encoding) & BLOCKING_BY_STI) == 0);
    CHECK(rig.stats.idle_hlts == 1);
    // A deadline already behind the slave's clock: look again now, not later.
    s = rig.exit(ExitReason::EXIT_REASON_HLT, BabysatClock{9000, -3000});
    CHECK(s.result.end == BabysitEnd::idle);
    CHECK(s.result.idle_until == 9000);
}

TEST_CASE("babysat: HLT with interrupts off ends the slave, and so the run") {
    Rig rig;
    rig.fake.set(GUEST_RFLAGS, 0x2); // IF clear: poweroff or panic
    rig.out.end = GuestEnd::exited;  // so that the exit handler's verdict shows
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_HLT);
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::stopped);
    CHECK(rig.out.end == GuestEnd::halted); // the slave's own exit handling said why
}

TEST_CASE("babysat: a pending interrupt is injected when the guest can take it") {
    Rig rig;
    rig.vlapic.deliver(0x41);
    rig.fake.set(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    rig.prepare();
    CHECK(rig.injected() == (INTR_INFO_VALID | 0x41)); // external interrupt, vector 0x41
    CHECK(rig.vlapic.in_service(0x41));
    CHECK(rig.fake.get(GUEST_ACTIVITY_STATE.encoding) == ACTIVITY_ACTIVE);
    CHECK((rig.proc() & PROC_INTERRUPT_WINDOW_EXITING) == 0);
}

TEST_CASE("babysat: with interrupts blocked the run waits for the interrupt window") {
    Rig rig;
    rig.vlapic.deliver(0x41);
    SECTION("RFLAGS.IF clear") {
        rig.fake.set(GUEST_RFLAGS, 0x2);
    }
    SECTION("blocking by STI") {
        rig.fake.set(GUEST_INTERRUPTIBILITY_INFO, BLOCKING_BY_STI);
    }
    SECTION("blocking by MOV SS") {
        rig.fake.set(GUEST_INTERRUPTIBILITY_INFO, BLOCKING_BY_MOV_SS);
    }
    rig.prepare();
    CHECK(rig.injected() == 0);
    CHECK_FALSE(rig.vlapic.in_service(0x41));
    CHECK((rig.proc() & PROC_INTERRUPT_WINDOW_EXITING) != 0);
    // The window opens: the next preparation injects and stops asking for the window.
    rig.fake.set(GUEST_RFLAGS, 0x202);
    rig.fake.set(GUEST_INTERRUPTIBILITY_INFO, 0u);
    rig.prepare();
    CHECK(rig.injected() == (INTR_INFO_VALID | 0x41));
    CHECK((rig.proc() & PROC_INTERRUPT_WINDOW_EXITING) == 0);
}

TEST_CASE("babysat: the virtual timer fires on the slave's clock, not the host's") {
    Rig rig;
    REQUIRE(rig.vlapic.write(0x832, 0x40030)); // LVT timer: TSC-deadline mode, vector 0x30
    REQUIRE(rig.vlapic.write(0x6E0, 5000));
    rig.prepare(1 << 20, BabysatClock{6000, -2000}); // the slave's 4000: not yet
    CHECK(rig.injected() == 0);
    rig.prepare(1 << 20, BabysatClock{7000, -2000}); // its 5000: due
    CHECK(rig.injected() == (INTR_INFO_VALID | 0x30));
}

TEST_CASE("babysat: the preemption timer gets the budget left, in its units, saturated") {
    Rig rig;
    rig.prepare(3200); // rate shift 5: 3200 TSC cycles = 100 ticks
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 100);
    rig.prepare(uint64_t(1) << 40);
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 0xFFFFFFFFu);
    rig.prepare(uint64_t(1) << 37); // exactly 2^32 ticks: one more than the field holds
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 0xFFFFFFFFu);
}

TEST_CASE("babysat: the preemption timer ends the run no sooner than the master's timer is due") {
    Rig rig;
    // Budget for 1,000,000 cycles, the master's timer due in 3200: 100 ticks rounded up, plus
    // the one the first TSC bit change may take at once.
    rig.prepare(1000000, BabysatClock{1000, 0, 4200});
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 101);
    rig.prepare(1000000, BabysatClock{1000, 0, 4201}); // 3201 cycles: 101 ticks rounded up
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 102);
    rig.prepare(1000000, BabysatClock{5000, 0, 4200}); // already due: as soon as possible
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 1);
    rig.prepare(320, BabysatClock{1000, 0, 4200}); // the budget ends first
    CHECK(rig.fake.get(VMX_PREEMPTION_TIMER_VALUE.encoding) == 10);
    // Its exit: the master's timer once it is due, the budget before.
    BabysatStep s = rig.exit(ExitReason::EXIT_REASON_PREEMPTION_TIMER, BabysatClock{4200, 0, 4200});
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::preempted);
    s = rig.exit(ExitReason::EXIT_REASON_PREEMPTION_TIMER, BabysatClock{1320, 0, 4200});
    CHECK(s.leave);
    CHECK(s.result.end == BabysitEnd::budget);
}

TEST_CASE("babysat: the slave parks only with nothing in service, a preemption timer and a "
          "timer the model runs, and keeps what was pending") {
    LapicSnapshot real{};
    real.svr = 0x1FF;
    real.tpr = 0x20;
    real.lvt_timer = (2u << 17) | 0xEC; // TSC-deadline mode, vector 0xEC
    real.tsc_deadline = 123456;
    real.irr[0] = 1u << 20; // vector 0x14 (legal from 16 up)
    real.irr[1] = 1u << 3;  // vector 0x23
    real.irr[7] = 1u << 30; // vector 0xFE
    VirtualLapic untouched(5);
    REQUIRE(untouched.write(0x80F, 0x1FF)); // software-enabled
    untouched.deliver(0x77);

    LapicSnapshot busy = real;
    busy.isr[2] = 1u << 1; // 0x41 in service: Linux is in its handler
    VirtualLapic a = untouched;
    CHECK_FALSE(babysat_park(busy, true, a));
    CHECK(a.pending() == 0x77); // not touched
    CHECK(a.deadline() == 0);
    CHECK_FALSE(babysat_park(real, false, a)); // no VMX-preemption timer
    LapicSnapshot periodic = real;
    periodic.lvt_timer = (1u << 17) | 0xEC;
    CHECK_FALSE(babysat_park(periodic, true, a));
    periodic.lvt_timer |= 1u << 16; // masked: nothing to model
    VirtualLapic b(5);
    CHECK(babysat_park(periodic, true, b));

    VirtualLapic v(5);
    REQUIRE(babysat_park(real, true, v));
    uint64_t x = 0;
    CHECK(v.read(0x80F, x)); // SVR
    CHECK(x == 0x1FF);
    CHECK(v.read(0x808, x)); // TPR
    CHECK(x == 0x20);
    CHECK(v.read(0x832, x)); // the timer's LVT
    CHECK(x == ((2u << 17) | 0xEC));
    CHECK(v.deadline() == 123456);
    CHECK(v.read(0x820, x)); // IRR0
    CHECK(x == (1u << 20));
    CHECK(v.read(0x821, x)); // IRR1
    CHECK(x == (1u << 3));
    CHECK(v.read(0x827, x)); // IRR7
    CHECK(x == (1u << 30));
    CHECK(v.pending() == 0xFE); // above TPR's class: it goes first
}
