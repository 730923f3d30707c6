// Lab 5, step 5: the VM exit seen from the hypervisor, on a fake VMCS. Each test plays the
// processor (fills the exit-information fields a real exit would), calls the student's
// ExitReasonInfo::decode(), exits::skip_instruction() or handle_exit(), and checks what they
// leave behind: the guest's registers and RIP, the counts, the verdict.
#include "hypervisor/core/tests/exit_rig.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace hv;

namespace {
using Rig = test::ExitRig;

constexpr uint32_t CPUID_1_ECX_VMX = 1u << 5, CPUID_1_ECX_OSXSAVE = 1u << 27,
                   CPUID_1_ECX_HYPERVISOR = 1u << 31;
} // namespace

TEST_CASE("exits: the exit reason is decoded bit by bit", "[lab5]") {
    ExitReasonInfo e = ExitReasonInfo::decode(48);
    CHECK(e.basic == 48);
    CHECK(e.reason() == ExitReason::EXIT_REASON_EPT_VIOLATION);
    CHECK_FALSE(e.vm_entry_failure);
    CHECK_FALSE(e.enclave_mode);
    CHECK_FALSE(e.pending_mtf);
    CHECK_FALSE(e.from_vmx_root);
    // A VM entry that failed on the guest state: bit 31 and basic reason 33.
    ExitReasonInfo f = ExitReasonInfo::decode(0x80000021);
    CHECK(f.basic == 33);
    CHECK(f.vm_entry_failure);
    CHECK_FALSE(f.from_vmx_root);
    // Bits 27, 28 and 29 each on their own, the reserved bits 26:16 and 30 ignored.
    ExitReasonInfo g = ExitReasonInfo::decode(0x08000000u | 12);
    CHECK(g.basic == 12);
    CHECK(g.enclave_mode);
    CHECK_FALSE(g.pending_mtf);
    ExitReasonInfo h = ExitReasonInfo::decode(0x10000000u | 0x07FF0000u | 0xFFFF);
    CHECK(h.basic == 0xFFFF);
    CHECK(h.pending_mtf);
    CHECK_FALSE(h.enclave_mode);
    CHECK_FALSE(h.from_vmx_root);
    ExitReasonInfo i = ExitReasonInfo::decode(0x60000000u | 1);
    CHECK(i.basic == 1);
    CHECK(i.from_vmx_root);
    CHECK_FALSE(i.vm_entry_failure);
}

TEST_CASE("exits: skipping the instruction adds its length to the guest's RIP", "[lab5]") {
    Rig rig;
    rig.fake.set(VM_EXIT_INSTRUCTION_LEN, 2);
    exits::skip_instruction(rig.vmcs);
    CHECK(rig.rip() == 0x1002);
    rig.fake.set(VM_EXIT_INSTRUCTION_LEN, 15);
    exits::skip_instruction(rig.vmcs);
    CHECK(rig.rip() == 0x1011);
    rig.fake.set(GUEST_RIP, 0xFFFFFFFF'FFFFFFFEull); // the top of the address space wraps
    rig.fake.set(VM_EXIT_INSTRUCTION_LEN, 3);
    exits::skip_instruction(rig.vmcs);
    CHECK(rig.rip() == 1);
}

TEST_CASE("exits: CPUID answers with the guest's CPUID and skips the instruction", "[lab5]") {
    Rig rig;
    rig.fake.set(VM_EXIT_INSTRUCTION_LEN, 2);
    rig.regs.rax = 0xFFFFFFFF'00000001ull; // leaf 1: only EAX counts
    rig.regs.rcx = 0;
    rig.regs.rbx = rig.regs.rdx = 0x5555;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK(rig.rip() == 0x1002);
    // The fake host answers {leaf, 0x11, all ones, 0x22}; the guest's leaf 1 hides VMX, shows
    // the hypervisor, and OSXSAVE is its own CR4's (0 here).
    CHECK(rig.regs.rax == 1);
    CHECK(rig.regs.rbx == 0x11);
    CHECK((rig.regs.rcx & CPUID_1_ECX_VMX) == 0);
    CHECK((rig.regs.rcx & CPUID_1_ECX_HYPERVISOR) != 0);
    CHECK((rig.regs.rcx & CPUID_1_ECX_OSXSAVE) == 0);
    CHECK(rig.regs.rcx == (0xFFFFFFFFu & ~CPUID_1_ECX_VMX & ~CPUID_1_ECX_OSXSAVE));
    CHECK(rig.regs.rdx == 0x22);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_CPUID)] == 1);
    CHECK(rig.out.total_exits == 1);
    // Another leaf passes through; the subleaf comes from ECX.
    rig.regs.rax = 0x80000008;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK(rig.regs.rax == 0x80000008);
    CHECK(rig.regs.rcx == 0xFFFFFFFF);
    CHECK(rig.rip() == 0x1004);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_CPUID)] == 2);
}

TEST_CASE("exits: CPUID leaf 1 shows the guest's own CR4.OSXSAVE", "[lab5]") {
    Rig rig;
    rig.fake.set(GUEST_CR4, uint64_t(1) << 18); // CR4.OSXSAVE
    rig.regs.rax = 1;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK((rig.regs.rcx & CPUID_1_ECX_OSXSAVE) != 0);
    rig.regs.rax = 7; // not leaf 1: the host's bit 27 as it is (all ones here)
    rig.fake.set(GUEST_CR4, 0);
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK((rig.regs.rcx & CPUID_1_ECX_OSXSAVE) != 0);
}

TEST_CASE("exits: VMCALL answers in RAX and skips the instruction", "[lab5]") {
    Rig rig;
    std::memcpy(rig.ram.data() + 0x500, "hey", 3);
    rig.regs.rax = HC_PRINT;
    rig.regs.rbx = 0x500;
    rig.regs.rcx = 3;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(rig.regs.rax == 0);
    REQUIRE(rig.env.lines.size() == 1);
    CHECK(rig.env.lines[0] == "[t] hey");
    CHECK(rig.out.prints == 1);
    CHECK(rig.rip() == 0x1003);
    CHECK(rig.out.bad_hypercalls == 0);
    rig.regs.rax = 0x7777; // unknown: refused, counted, the guest goes on
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(int64_t(rig.regs.rax) == -HCE_NOSYS);
    CHECK(rig.out.bad_hypercalls == 1);
    CHECK(rig.rip() == 0x1006);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_VMCALL)] == 2);
}

TEST_CASE("exits: a VMCALL from CPL 3 is refused with RAX = -HCE_PERM", "[lab5]") {
    Rig rig;
    std::memcpy(rig.ram.data() + 0x500, "hey", 3);
    rig.regs.rax = HC_PRINT;
    rig.regs.rbx = 0x500;
    rig.regs.rcx = 3;
    rig.fake.set(GUEST_SS_AR_BYTES, 0x93 | (3 << 5)); // SS.DPL 3: a guest user program
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(int64_t(rig.regs.rax) == -HCE_PERM);
    CHECK(rig.env.lines.empty());
    CHECK(rig.out.bad_hypercalls == 1);
    CHECK(rig.rip() == 0x1003);
}

TEST_CASE("exits: HC_EXIT stops the guest with its code, HLT as halted", "[lab5]") {
    Rig a;
    a.regs.rax = HC_EXIT;
    a.regs.rbx = 42;
    CHECK(a.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(a.out.end == GuestEnd::exited);
    CHECK(a.out.detail == 42);
    Rig b;
    b.out.end = GuestEnd::too_many_exits; // not the default: the handler must set it
    b.out.detail = 7;                     // nor is this: a HLT's detail is 0
    CHECK(b.exit(ExitReason::EXIT_REASON_HLT));
    CHECK(b.out.end == GuestEnd::halted);
    CHECK(b.out.detail == 0);
    CHECK(b.out.exits[uint16_t(ExitReason::EXIT_REASON_HLT)] == 1);
}

TEST_CASE("exits: port reads see a floating bus, writes vanish", "[lab5]") {
    Rig rig;
    rig.regs.rax = 0x11223344'12345678ull;
    // IN AL, DX: size 1 (bits 2:0 = 0), direction in (bit 3), port 0x3F8 in bits 31:16.
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, (0x3F8ull << 16) | (1 << 3)));
    CHECK(rig.regs.rax == 0x11223344'123456FFull);
    // IN AX, 0x60: size 2 (bits 2:0 = 1), in, immediate (bit 6).
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION,
                         (0x60ull << 16) | (1 << 6) | (1 << 3) | 1));
    CHECK(rig.regs.rax == 0x11223344'1234FFFFull);
    // OUT DX, AL to Bochs' shutdown port: dropped, RAX as it was, the guest goes on.
    rig.regs.rax = 0x11223344'12345600ull;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, 0x8900ull << 16));
    CHECK(rig.regs.rax == 0x11223344'12345600ull);
    // INSB (string, bit 4): nothing to RAX.
    CHECK_FALSE(
        rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, (0x3F8ull << 16) | (1 << 4) | (1 << 3)));
    CHECK(rig.regs.rax == 0x11223344'12345600ull);
    CHECK(rig.rip() == 0x100C);
    CHECK(rig.out.exits[uint16_t(ExitReason::EXIT_REASON_IO_INSTRUCTION)] == 4);
}

TEST_CASE("exits: IN EAX reads all ones and, as a 32-bit result, clears RAX's upper half",
          "[lab5]") {
    Rig rig;
    rig.regs.rax = 0x11223344'12345678ull;
    // IN EAX, DX: size 4 (bits 2:0 = 3), in. A 32-bit destination zero-extends into RAX
    // (SDM Vol 1 3.4.1.1 "General-Purpose Registers in 64-Bit Mode").
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, (0xCF8ull << 16) | (1 << 3) | 3));
    CHECK(rig.regs.rax == 0xFFFFFFFFull);
}

TEST_CASE("exits: a failed VM entry stops the guest and says so", "[lab5]") {
    Rig rig;
    rig.fake.set(EXIT_QUALIFICATION, 0);
    CHECK(rig.exit_raw(0x80000000u | 33));
    CHECK(rig.out.end == GuestEnd::entry_failed);
    CHECK(rig.out.detail == 33);
    REQUIRE(rig.env.lines.size() == 1);
    CHECK(rig.env.lines[0].find("VM entry failed") != std::string::npos);
    CHECK(rig.rip() == 0x1000);
}

TEST_CASE("exits: each exit is counted by its basic reason alone", "[lab5]") {
    Rig rig;
    // An MSR read with a pending MTF exit (bit 28): counted as MSR_READ (31), handled by the kit.
    rig.regs.rax = rig.regs.rdx = 7;
    CHECK_FALSE(rig.exit_raw(0x10000000u | 31));
    CHECK(rig.out.exits[31] == 1);
    CHECK(rig.regs.rax == 0);
    CHECK(rig.rip() == 0x1003);
    // A reason beyond the table: counted in the total only, stopped as unhandled by the kit.
    CHECK(rig.exit_raw(75));
    CHECK(rig.out.total_exits == 2);
    CHECK(rig.out.end == GuestEnd::unhandled_exit);
}

TEST_CASE("exits: the other reasons go to the kit's handlers", "[lab5]") {
    Rig a;
    a.fake.set(GUEST_PHYSICAL_ADDRESS, 0xFEE00000);
    CHECK(a.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 1));
    CHECK(a.out.end == GuestEnd::ept_violation);
    CHECK(a.out.detail == 0xFEE00000);
    Rig b;
    CHECK_FALSE(b.exit(ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT));
    CHECK(b.rip() == 0x1000); // not caused by an instruction: nothing to skip
    CHECK(b.exit(ExitReason::EXIT_REASON_INVD));
    CHECK(b.out.end == GuestEnd::unhandled_exit);
    CHECK(b.out.total_exits == 2);
}
