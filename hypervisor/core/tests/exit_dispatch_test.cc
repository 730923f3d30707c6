// The kit's exit handlers (exits::handle_other: MSRs, CRs, XSETBV, EPT, triple faults, the
// exits that just resume) replayed on a fake VMCS: each test plays the processor (sets the exit
// fields a real VM exit would), calls handle_exit(), and checks the guest state it leaves
// behind. handle_exit() itself, and the CPUID, VMCALL, HLT and I/O exits, are lab 5's (tested in
// exit_dispatch_lab_test.cc): this test needs lab 5 solved.
#include "hypervisor/core/tests/exit_rig.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace hv;

namespace {
using Rig = hv::test::ExitRig;
} // namespace

TEST_CASE("MSR reads return 0, writes are ignored") {
    Rig rig;
    rig.regs.rcx = 0x1B;
    rig.regs.rax = rig.regs.rdx = 7;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(rig.regs.rax == 0);
    CHECK(rig.regs.rdx == 0);
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
}

TEST_CASE("EPT violations and triple faults stop the guest with the reason") {
    Rig a;
    a.fake.set(GUEST_PHYSICAL_ADDRESS, 0xFEE00000);
    CHECK(a.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 1 /* read */));
    CHECK(a.out.end == GuestEnd::ept_violation);
    CHECK(a.out.detail == 0xFEE00000);
    Rig c;
    CHECK(c.exit(ExitReason::EXIT_REASON_TRIPLE_FAULT));
    CHECK(c.out.end == GuestEnd::triple_fault);
}

TEST_CASE("an exit nobody handles stops the guest and says which") {
    Rig rig;
    CHECK(rig.exit(ExitReason::EXIT_REASON_INVD));
    CHECK(rig.out.end == GuestEnd::unhandled_exit);
    REQUIRE(rig.env.lines.size() == 1);
    CHECK(rig.env.lines[0].find("INVD") != std::string::npos);
}

TEST_CASE("external interrupts and the preemption timer just resume") {
    Rig rig;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT));
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_PREEMPTION_TIMER));
    CHECK(rig.out.total_exits == 2);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1000); // not instruction exits: RIP unchanged
}

TEST_CASE("MOV to CR4 changing a host-owned bit goes to the shadow, VMXE stays on") {
    Rig rig;
    rig.ctx.fixed = CrFixedBits{0x80000021, 0xFFFFFFFF, 0x2000, 0x3727FF};
    rig.fake.set(CR4_GUEST_HOST_MASK, 0x2000);
    rig.fake.set(CR4_READ_SHADOW, 0x20);
    rig.fake.set(GUEST_CR4, 0x2020);
    rig.regs.rbx = 0x20A0; // PAE | PGE | "VMXE", from RBX (register 3)
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CR_ACCESS, 4 | (0 << 4) | (3 << 8)));
    CHECK(rig.fake.get(CR4_READ_SHADOW.encoding) == 0x20A0);
    CHECK(rig.fake.get(GUEST_CR4.encoding) == 0x20A0);
    rig.regs.rbx = 0xA0; // the guest clears "its" VMXE: the real one stays
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CR_ACCESS, 4 | (3 << 8)));
    CHECK(rig.fake.get(CR4_READ_SHADOW.encoding) == 0xA0);
    CHECK(rig.fake.get(GUEST_CR4.encoding) == 0x20A0);
    CHECK(rig.out.cr_writes == 2);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1006);
}

TEST_CASE("CR0: NE forced, paging switches refused") {
    Rig rig;
    rig.ctx.fixed = CrFixedBits{0x80000021, 0xFFFFFFFF, 0x2000, 0x3727FF};
    rig.fake.set(CR0_GUEST_HOST_MASK, 0x20);
    rig.fake.set(GUEST_CR0, 0x80000031);
    rig.regs.rax = 0x80000011; // NE cleared by the guest (register 0)
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CR_ACCESS, 0));
    CHECK(rig.fake.get(CR0_READ_SHADOW.encoding) == 0x80000011);
    CHECK(rig.fake.get(GUEST_CR0.encoding) == 0x80000031);
    rig.regs.rax = 0x11; // paging off: the IA-32e control would have to follow: not emulated
    CHECK(rig.exit(ExitReason::EXIT_REASON_CR_ACCESS, 0));
    CHECK(rig.out.end == GuestEnd::unhandled_exit);
}

TEST_CASE("XSETBV: valid values reach XCR0, invalid ones inject #GP") {
    Rig rig;
    rig.regs.rcx = 0;
    rig.regs.rax = 7; // x87 | SSE | AVX
    rig.regs.rdx = 0;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_XSETBV));
    CHECK(rig.env.xcr0 == 7);
    CHECK(rig.out.guest_xcr0 == 7);
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1003);
    for (uint64_t bad :
         {uint64_t(0), uint64_t(5) /* AVX without SSE */, uint64_t(0xF) /* unsupported bit */}) {
        rig.regs.rax = bad;
        CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_XSETBV));
        CHECK(rig.fake.get(VM_ENTRY_INTR_INFO_FIELD.encoding) ==
              ((1u << 31) | (1u << 11) | (3u << 8) | 13u));
        CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1003); // the faulting XSETBV is not skipped
    }
    CHECK(rig.env.xcr0 == 7);
    CHECK(rig.out.injected_gp == 3);
}
