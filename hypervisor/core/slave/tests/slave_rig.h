// What the slave's exit-handler tests share: a recording SlaveEnv and a one-CPU slave's exit
// context over a FakeVmcs and 2 MiB of guest RAM, with the guest at RIP 0x1000, CPL 0, IF set.
#pragma once

#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/slave/slave_exits.h"
#include "hypervisor/core/tests/exit_rig.h"

#include <string>
#include <vector>

namespace hv::test {

/// Records what the handlers asked of the machine.
struct FakeSlave final : SlaveEnv {
    std::vector<uint64_t> icrs;       ///< ICR writes performed
    std::vector<uint64_t> absorbed;   ///< holes mapped to the junk page
    std::vector<std::string> console; ///< console lines
    std::vector<StartupIpi> startups; ///< INITs and SIPIs to its other CPUs
    bool absorb_ok = true;            ///< whether the sink takes a hole
    bool pending = false;             ///< an interrupt waits in the LAPIC
    unsigned rings = 0;               ///< doorbells
    void write_icr(uint64_t icr) override { icrs.push_back(icr); }
    bool absorb_stray_access(uint64_t gpa) override {
        if (absorb_ok) absorbed.push_back(gpa);
        return absorb_ok;
    }
    uint64_t apic_base() override { return 0xFEE00C00; } // enabled, x2APIC, not BSP
    void console_line(const char* line, size_t n) override { console.emplace_back(line, n); }
    void doorbell() override { ++rings; }
    void startup_ipi(const StartupIpi& ipi) override { startups.push_back(ipi); }
    bool interrupt_pending() override { return pending; }
    static void sink(void* self, const char* line, size_t n) {
        static_cast<FakeSlave*>(self)->console_line(line, n);
    }
};

/// A one-CPU slave (x2APIC id 1) at an exit; @p insn_len is the exiting instruction's length.
struct SlaveRig : ExitRig {
    FakeSlave slave;
    Uart16550 uart{FakeSlave::sink, &slave};
    SlaveStats stats;
    uint32_t own[1] = {1};
    kern::Atomic<bool> stop_flag{false};
    SlaveExitContext sctx{ctx, slave, uart, stats, own, 1, &stop_flag};

    explicit SlaveRig(uint32_t insn_len) : ExitRig("linux", insn_len) {
        fake.set(GUEST_RFLAGS, 0x202); // IF
    }
};

} // namespace hv::test
