// Exit handlers replayed on a fake VMCS: each test plays the processor (sets the exit fields a
// real VM exit would), calls handle_exit(), and checks the guest state it leaves behind.
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/tests/fake_exit_env.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace hv;

namespace {
using FakeEnv = hv::test::FakeExitEnv;

struct Rig {
    FakeVmcs fake;
    Vmcs<FakeVmcs> vmcs{fake};
    GuestRegs regs{};
    GuestConfig cfg;
    GuestOutcome out;
    std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 21, 0);
    FakeEnv env;
    GuestContext ctx{cfg, out, ram.data(), 0, env};

    Rig() {
        cfg.name = "t";
        cfg.ram_bytes = ram.size();
        fake.set(GUEST_RIP, 0x1000);
        fake.set(VM_EXIT_INSTRUCTION_LEN, 3);
        fake.set(GUEST_SS_AR_BYTES, 0x93); // DPL 0
    }
    bool exit(ExitReason r, uint64_t qualification = 0) {
        fake.set(VM_EXIT_REASON, uint32_t(r));
        fake.set(EXIT_QUALIFICATION, qualification);
        return handle_exit(vmcs, regs, ctx);
    }
};
} // namespace

TEST_CASE("CPUID exits apply the CPUID policy and skip the instruction") {
    Rig rig;
    rig.regs.rax = 1;
    rig.regs.rcx = 5;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1003);
    // The stand-in policy (exit_dispatch_fakes.cc): eax + 1, ebx as is, ecx ^ leaf, edx = subleaf.
    CHECK(rig.regs.rax == 2);
    CHECK(rig.regs.rbx == 0x11);
    // ...and the dispatcher's own rule: CPUID.1:ECX.OSXSAVE (bit 27) = the guest's CR4.OSXSAVE (0).
    CHECK(rig.regs.rcx == ((0xFFFFFFFFu ^ 1) & ~(1u << 27)));
    CHECK(rig.regs.rdx == 5);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_CPUID)] == 1);
}

TEST_CASE("CPUID.1:ECX.OSXSAVE follows the guest's CR4.OSXSAVE") {
    Rig rig;
    rig.fake.set(GUEST_CR4, uint64_t(1) << 18);
    rig.regs.rax = 1;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK((rig.regs.rcx >> 27) & 1);
}

TEST_CASE("VMCALL from CPL 3 is refused, from CPL 0 it prints") {
    Rig rig;
    std::memcpy(rig.ram.data() + 0x500, "hey", 3);
    rig.regs.rax = HC_PRINT;
    rig.regs.rbx = 0x500;
    rig.regs.rcx = 3;
    rig.fake.set(GUEST_SS_AR_BYTES, 0x93 | (3 << 5)); // DPL 3: a guest user program
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(int64_t(rig.regs.rax) == -HCE_PERM);
    CHECK(rig.out.bad_hypercalls == 1);
    CHECK(rig.env.lines.empty());
    rig.fake.set(GUEST_SS_AR_BYTES, 0x93);
    rig.regs.rax = HC_PRINT;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(rig.regs.rax == 0);
    REQUIRE(rig.env.lines.size() == 1);
    CHECK(rig.env.lines[0] == "[t] hey");
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1006);
}

TEST_CASE("port reads see a floating bus, writes vanish") {
    Rig rig;
    rig.regs.rax = 0x12345678;
    // IN AL, DX: size 1 (bits 2:0 = 0), direction in (bit 3), port 0x3F8 in bits 31:16.
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, (0x3F8ull << 16) | (1 << 3)));
    CHECK(rig.regs.rax == 0x123456FF);
    // OUT DX, AL to Bochs' shutdown port: dropped, the guest goes on.
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, 0x8900ull << 16));
    CHECK(rig.fake.get(GUEST_RIP.encoding) == 0x1006);
}

TEST_CASE("MSR reads return 0, writes are ignored") {
    Rig rig;
    rig.regs.rcx = 0x1B;
    rig.regs.rax = rig.regs.rdx = 7;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(rig.regs.rax == 0);
    CHECK(rig.regs.rdx == 0);
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
}

TEST_CASE("EPT violations, HLT and triple faults stop the guest with the reason") {
    Rig a;
    a.fake.set(GUEST_PHYSICAL_ADDRESS, 0xFEE00000);
    CHECK(a.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 1 /* read */));
    CHECK(a.out.end == GuestEnd::ept_violation);
    CHECK(a.out.detail == 0xFEE00000);
    Rig b;
    CHECK(b.exit(ExitReason::EXIT_REASON_HLT));
    CHECK(b.out.end == GuestEnd::halted);
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
