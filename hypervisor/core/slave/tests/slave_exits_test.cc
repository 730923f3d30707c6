// The Linux slave's exit handlers replayed on a fake VMCS (as exit_dispatch_test does for the
// test guests): each test sets the exit fields a real exit would, calls handle_slave_exit(), and
// checks what the handler left in the guest state, the counters and the host services.
// Lab 5's CPUID policy and lab 7's ICR filter are stand-ins (slave_exits_fakes.cc).
#include "hypervisor/core/slave/tests/slave_rig.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace hv;

namespace {
using hv::test::FakeSlave;

struct Rig : hv::test::SlaveRig {
    Rig() : SlaveRig(2) {}
    bool exit(ExitReason r, uint64_t qualification = 0) {
        fake.set(VM_EXIT_REASON, uint32_t(r));
        fake.set(EXIT_QUALIFICATION, qualification);
        return handle_slave_exit(vmcs, regs, sctx);
    }
    uint64_t rip() { return fake.get(GUEST_RIP.encoding); }
    bool gp_injected() {
        return (fake.get(VM_ENTRY_INTR_INFO_FIELD.encoding) & 0x800007FF) == 0x8000030D;
    }
};

// I/O exit qualification (SDM Vol 3C Table 28-5): size - 1, direction (bit 3), port (31:16).
constexpr uint64_t io(uint16_t port, bool in) {
    return (uint64_t(port) << 16) | (in ? 8 : 0);
}
} // namespace

TEST_CASE("CPUID: the Jailhouse signature, and the instruction is skipped") {
    Rig rig;
    rig.regs.rax = 0x40000000;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_CPUID));
    CHECK(rig.regs.rbx == JAILHOUSE_SIGNATURE[0]);
    CHECK(rig.regs.rcx == JAILHOUSE_SIGNATURE[1]);
    CHECK(rig.regs.rdx == JAILHOUSE_SIGNATURE[2]);
    CHECK(rig.rip() == 0x1002);
}

TEST_CASE("the console: LSR says ready, THR writes become [linux] lines") {
    Rig rig;
    rig.regs.rax = 0xAB00;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, io(0x3FD, true)));
    CHECK((rig.regs.rax & 0xFF) == 0x60);     // THRE | TEMT
    CHECK((rig.regs.rax & 0xFF00) == 0xAB00); // the rest of RAX kept
    for (char c : std::string("hi\n")) {
        rig.regs.rax = uint8_t(c);
        CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, io(0x3F8, false)));
    }
    REQUIRE(rig.slave.console.size() == 1);
    CHECK(rig.slave.console[0] == "hi");
    CHECK(rig.stats.console_exits == 4);
    CHECK(rig.stats.other_io_exits == 0);
}

TEST_CASE("other ports are denied: reads see all ones") {
    Rig rig;
    rig.regs.rax = 0;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, io(0xCFC, true) | 3)); // 4-byte IN
    CHECK(rig.regs.rax == 0xFFFFFFFF);
    CHECK(rig.stats.other_io_exits == 1);
    CHECK(rig.out.total_exits == 1);
}

TEST_CASE("MSRs: emulated reads, #GP for the unknown, the ICR through the filter") {
    Rig rig;
    rig.regs.rcx = 0x3B; // TSC_ADJUST
    rig.regs.rax = rig.regs.rdx = 0x55;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(rig.regs.rax == 0);
    CHECK(rig.regs.rdx == 0);
    CHECK(rig.rip() == 0x1002);

    Rig gp;
    gp.regs.rcx = 0x480; // IA32_VMX_BASIC: the slave has no VMX
    CHECK_FALSE(gp.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(gp.gp_injected());
    CHECK(gp.rip() == 0x1000); // a fault: RIP stays on the RDMSR
    CHECK(gp.stats.msr_gp == 1);
    CHECK(gp.env.lines.size() == 1);

    Rig icr;
    icr.regs.rcx = kern::x86::IA32_X2APIC_ICR;
    icr.regs.rdx = 1; // destination 1: the slave's own (stand-in filter: allowed)
    icr.regs.rax = 0xF6;
    CHECK_FALSE(icr.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    icr.regs.rdx = 0;      // destination 0: the master's
    icr.regs.rax = 0x4500; // INIT
    CHECK_FALSE(icr.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    REQUIRE(icr.slave.icrs.size() == 1);
    CHECK(icr.slave.icrs[0] == ((1ull << 32) | 0xF6));
    CHECK(icr.stats.icr_allowed == 1);
    CHECK(icr.stats.icr_denied == 1);
    CHECK(icr.stats.last_icr_denied == 0x4500);
    CHECK(icr.rip() == 0x1004); // both writes completed, as a real ICR write does
    CHECK(icr.env.lines.back().find("IPI denied") != std::string::npos);
}

TEST_CASE("HLT: idle halts in the guest, with interrupts off the slave has ended") {
    Rig idle;
    idle.fake.set(GUEST_INTERRUPTIBILITY_INFO, 1); // blocking by STI: "sti; hlt"
    CHECK_FALSE(idle.exit(ExitReason::EXIT_REASON_HLT));
    CHECK(idle.fake.get(GUEST_ACTIVITY_STATE.encoding) == 1);
    CHECK(idle.fake.get(GUEST_INTERRUPTIBILITY_INFO.encoding) == 0);
    CHECK(idle.rip() == 0x1002);
    CHECK(idle.stats.idle_hlts == 1);

    Rig dead;
    dead.fake.set(GUEST_RFLAGS, 0x2);
    CHECK(dead.exit(ExitReason::EXIT_REASON_HLT));
    CHECK(dead.out.end == GuestEnd::halted);
}

TEST_CASE("stray accesses are absorbed and reported, fetches and failures stop the slave") {
    Rig rig;
    rig.fake.set(GUEST_PHYSICAL_ADDRESS, 0x4000000);
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 1)); // data read
    CHECK(rig.slave.absorbed == std::vector<uint64_t>{0x4000000});
    CHECK(rig.stats.stray_accesses == 1);
    CHECK(rig.stats.first_stray_gpa == 0x4000000);
    CHECK(rig.rip() == 0x1000); // retried, not skipped
    CHECK(rig.env.lines.back().find("outside its RAM") != std::string::npos);

    Rig fetch;
    fetch.fake.set(GUEST_PHYSICAL_ADDRESS, 0x4000000);
    CHECK(fetch.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 4)); // instruction fetch
    CHECK(fetch.out.end == GuestEnd::ept_violation);
    CHECK(fetch.slave.absorbed.empty());

    Rig mapped;
    mapped.slave.absorb_ok = false; // e.g. a write to a read-only page: not a hole
    mapped.fake.set(GUEST_PHYSICAL_ADDRESS, 0x2000);
    CHECK(mapped.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 2));
    CHECK(mapped.out.end == GuestEnd::ept_violation);
}

TEST_CASE("an NMI stops the slave only when the master asked") {
    Rig rig;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_EXCEPTION_NMI));
    CHECK(rig.out.nmis == 1);
    rig.stop_flag.store(true, kern::MemoryOrder::relaxed);
    CHECK(rig.exit(ExitReason::EXIT_REASON_EXCEPTION_NMI));
    CHECK(rig.out.end == GuestEnd::exited);
}

TEST_CASE("VMCALL: the doorbell from any CPL, nothing else") {
    Rig rig;
    rig.regs.rax = HC_PRINT;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(int64_t(rig.regs.rax) == -HCE_NOSYS);
    CHECK(rig.stats.hypercalls == 1);
    rig.fake.set(GUEST_SS_AR_BYTES, 0x93 | (3 << 5)); // CPL 3: vlibosd in Linux userspace
    rig.regs.rax = HC_DOORBELL;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_VMCALL));
    CHECK(rig.regs.rax == 0);
    CHECK(rig.slave.rings == 1);
    CHECK(rig.stats.doorbells == 1);
    CHECK(rig.rip() == 0x1004);
}

TEST_CASE("a triple fault ends the slave") {
    Rig rig;
    CHECK(rig.exit(ExitReason::EXIT_REASON_TRIPLE_FAULT));
    CHECK(rig.out.end == GuestEnd::triple_fault);
}

TEST_CASE("babysat mode: x2APIC MSRs go to the virtual LAPIC, allowed IPIs become self IPIs") {
    Rig rig;
    VirtualLapic vl(1);
    rig.sctx.vlapic = &vl;
    rig.regs.rcx = 0x80F; // SVR
    rig.regs.rax = 0x1FF;
    rig.regs.rdx = 0;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    rig.regs.rcx = 0x802; // ID
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(rig.regs.rax == 1);
    rig.regs.rcx =
        kern::x86::IA32_X2APIC_ICR; // fixed 0xF6 to itself (APIC 1): allowed by the stand-in
    rig.regs.rdx = 1;
    rig.regs.rax = 0xF6;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    CHECK(rig.slave.icrs.empty()); // nothing reached the real ICR
    CHECK(vl.pending() == 0xF6);
    rig.regs.rcx = 0x6E0; // the TSC deadline: virtual too
    rig.regs.rdx = 0;
    rig.regs.rax = 12345;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    CHECK(vl.deadline() == 12345);
    rig.regs.rcx = 0x80B; // EOI read: write-only -> #GP
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_READ));
    CHECK(rig.gp_injected());
}

namespace {
/// A rig whose guest has page tables (2 MiB identity map of its first 2 MiB) and code at 0x10000.
struct MmioRig : Rig {
    IoApic ioapic;
    MmioRig() {
        auto put = [&](uint64_t at, uint64_t v) { std::memcpy(&ram[at], &v, 8); };
        put(0x1000, 0x2000 | 3);
        put(0x2000, 0x3000 | 3);
        put(0x3000, 0x0 | 0x83); // 2 MiB page at 0
        fake.set(GUEST_CR3, 0x1000);
        sctx.ioapic = &ioapic;
    }
    bool access(std::vector<uint8_t> code, uint64_t gpa, bool write) {
        std::memcpy(&ram[0x10000], code.data(), code.size());
        fake.set(GUEST_RIP, 0x10000);
        fake.set(GUEST_PHYSICAL_ADDRESS, gpa);
        return exit(ExitReason::EXIT_REASON_EPT_VIOLATION, write ? 2 : 1);
    }
};
} // namespace

TEST_CASE("the I/O APIC page: MOVs emulated on the model, RIP stepped over them, never absorbed") {
    MmioRig rig;
    rig.regs.rdx = 0xFFFFFFFFFF5FE000ull; // (the guest's pointer; only the GPA matters)
    CHECK_FALSE(rig.access({0xC7, 0x02, 0x18, 0, 0, 0}, 0xFEC00000,
                           true)); // movl $0x18,(%rdx): select pin 4
    CHECK(rig.rip() == 0x10006);
    rig.regs.rax = 0xFFFFFFFF00000031ull;
    CHECK_FALSE(rig.access({0x89, 0x42, 0x10}, 0xFEC00010, true)); // mov %eax,0x10(%rdx)
    CHECK(rig.rip() == 0x10003);
    CHECK(rig.ioapic.vector(UART_IOAPIC_PIN) == 0x31);
    rig.regs.rcx = ~0ull;
    CHECK_FALSE(rig.access({0x8B, 0x4A, 0x10}, 0xFEC00010, false)); // mov 0x10(%rdx),%ecx
    CHECK(rig.regs.rcx == 0x31);                                    // zero-extended
    CHECK(rig.stats.ioapic_exits == 3);
    CHECK(rig.slave.absorbed.empty());
    CHECK(rig.stats.stray_accesses == 0);

    // A 64-bit load (what /dev/mem's copies do): a #GP, RIP unchanged, the slave goes on.
    CHECK_FALSE(rig.access({0x48, 0x8B, 0x02}, 0xFEC00000, false));
    CHECK(rig.gp_injected());
    CHECK(rig.rip() == 0x10000);
    // A direction that does not match the instruction: refused the same way.
    MmioRig other;
    CHECK_FALSE(other.access({0x8B, 0x02}, 0xFEC00000, true));
    CHECK(other.gp_injected());
    // Without an I/O APIC model its page is a hole like any other.
    Rig plain;
    plain.fake.set(GUEST_PHYSICAL_ADDRESS, 0xFEC00000);
    CHECK_FALSE(plain.exit(ExitReason::EXIT_REASON_EPT_VIOLATION, 1));
    CHECK(plain.slave.absorbed == std::vector<uint64_t>{0xFEC00000});
}

TEST_CASE(
    "the UART's interrupt: sent to the slave's own CPU on the routed vector when its line rises") {
    MmioRig rig;
    kern::Atomic<uint32_t> posts{0};
    rig.uart.attach_rx(&posts);
    auto out = [&](uint16_t port, uint8_t v) {
        rig.regs.rax = v;
        CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, io(port, false)));
    };
    auto in = [&](uint16_t port) {
        CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_IO_INSTRUCTION, io(port, true)));
        return uint8_t(rig.regs.rax);
    };
    out(0x3FC, 0x08); // MCR.OUT2
    out(0x3F9, 0x01); // IER: received data
    posts.store(1, kern::MemoryOrder::relaxed);
    in(0x3FD); // the pin is still masked: nothing sent
    CHECK(rig.slave.icrs.empty());
    in(0x3F8); // consumed
    rig.ioapic.write(IoApic::IOREGSEL, 0x18);
    rig.ioapic.write(IoApic::IOWIN, 0x41); // pin 4 -> vector 0x41
    posts.store(2, kern::MemoryOrder::relaxed);
    in(0x3FD); // the line rose: a fixed IPI to itself (own APIC id 1)
    REQUIRE(rig.slave.icrs.size() == 1);
    CHECK(rig.slave.icrs[0] == ((1ull << 32) | 0x41));
    in(0x3FD); // still high: no second edge
    CHECK(rig.slave.icrs.size() == 1);
    CHECK(in(0x3F8) == Uart16550::RX_BYTE);
    CHECK(rig.stats.uart_irqs == 1);

    // Dedicated mode: the master sends the receiver's interrupts itself; only THRE rises here.
    rig.sctx.rx_edges_posted = true;
    posts.store(3, kern::MemoryOrder::relaxed);
    in(0x3FD);
    CHECK(rig.slave.icrs.size() == 1);
    out(0x3F9, 0x03); // THRI on: the transmitter's interrupt rises
    CHECK(rig.slave.icrs.size() == 2);
}

TEST_CASE("babysat mode: a wake-up posted while the slave was parked goes to the virtual LAPIC") {
    MmioRig rig;
    VirtualLapic vl(1);
    vl.seed(0x1FF, 0, 0x10000, 0); // software-enabled, timer masked
    rig.sctx.vlapic = &vl;
    kern::Atomic<uint32_t> posts{0};
    rig.uart.attach_rx(&posts);
    rig.uart.write(4, 0x08); // OUT2
    rig.uart.write(1, 0x01); // IER: received data
    rig.ioapic.write(IoApic::IOREGSEL, 0x18);
    rig.ioapic.write(IoApic::IOWIN, 0x41);
    slave_exits::uart_line_changed(rig.sctx); // the run loop, before an entry: nothing yet
    CHECK(vl.pending() == -1);
    posts.store(1, kern::MemoryOrder::relaxed); // linux_slave_wake() from the caller, while parked
    slave_exits::uart_line_changed(rig.sctx);
    CHECK(vl.pending() == 0x41);
    CHECK(rig.slave.icrs.empty()); // never the real ICR: the CPU is the master's
}

TEST_CASE("an SMP slave's INIT and SIPI to its own CPUs are emulated, never written to the ICR") {
    Rig rig;
    const uint32_t own[2] = {1, 2};
    rig.sctx.own_apic_ids = own;
    rig.sctx.own_count = 2;
    rig.regs.rcx = kern::x86::IA32_X2APIC_ICR;
    auto icr = [&](uint64_t v) {
        rig.regs.rax = v & 0xFFFFFFFF;
        rig.regs.rdx = v >> 32;
        CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    };
    icr((2ull << 32) | 0x4500);        // INIT to CPU 2
    icr((2ull << 32) | 0x4600 | 0x9A); // SIPI, start page 0x9A
    REQUIRE(rig.slave.startups.size() == 2);
    CHECK(rig.slave.startups[0].kind == StartupIpi::init);
    CHECK(rig.slave.startups[1].kind == StartupIpi::startup);
    CHECK(rig.slave.startups[1].target == 1);
    CHECK(rig.slave.startups[1].vector == 0x9A);
    CHECK(rig.slave.icrs.empty());
    CHECK(rig.stats.startup_ipis == 2);
    icr((0ull << 32) | 0x4500); // INIT to the master's CPU 0: the filter refuses it
    CHECK(rig.slave.startups.size() == 2);
    CHECK(rig.slave.icrs.empty());
    CHECK(rig.stats.icr_denied == 1);
}

TEST_CASE("an SMP slave's broadcast IPI reaches its other CPUs only, a one-CPU slave's is denied") {
    Rig rig;
    rig.regs.rcx = kern::x86::IA32_X2APIC_ICR;
    rig.regs.rax = 0xC40F8; // REBOOT_VECTOR, all excluding self
    rig.regs.rdx = 0;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE)); // one CPU: refused by the filter
    CHECK(rig.slave.icrs.empty());
    CHECK(rig.stats.icr_denied == 1);
    const uint32_t own[3] = {1, 2, 3};
    rig.sctx.own_apic_ids = own;
    rig.sctx.own_count = 3;
    CHECK_FALSE(rig.exit(ExitReason::EXIT_REASON_MSR_WRITE));
    REQUIRE(rig.slave.icrs.size() == 2); // to CPUs 2 and 3, never to the master's CPU 0
    CHECK(rig.slave.icrs[0] == ((2ull << 32) | 0x40F8));
    CHECK(rig.slave.icrs[1] == ((3ull << 32) | 0x40F8));
    CHECK(rig.stats.icr_allowed == 2);
}
