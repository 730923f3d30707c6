// ExitRig: a test guest at a VM exit, for the exit-handler host tests, which play the processor
// on it (fill the exit-information fields as a real exit would) and call a handler. A FakeVmcs,
// the guest's registers, configuration and outcome, 2 MiB of guest RAM at guest-physical 0 and a
// FakeExitEnv; the guest at RIP 0x1000 and CPL 0.
#pragma once

#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/fake_vmcs.h"
#include "hypervisor/core/tests/fake_exit_env.h"

#include <vector>

namespace hv::test {

struct ExitRig {
    FakeVmcs fake;                                               ///< the VMCS, as the test sets it
    Vmcs<FakeVmcs> vmcs{fake};                                   ///< typed access to it
    GuestRegs regs{};                                            ///< the guest's registers
    GuestConfig cfg;                                             ///< named @p name, RAM below
    GuestOutcome out;                                            ///< what the handlers record
    std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 21, 0); ///< guest RAM
    FakeExitEnv env;                                             ///< host services
    GuestContext ctx{cfg, out, ram.data(), 0, env};              ///< what the handlers get

    /// A guest named @p name whose exiting instruction is @p insn_len bytes long.
    explicit ExitRig(const char* name = "t", uint32_t insn_len = 3) {
        cfg.name = name;
        cfg.ram_bytes = ram.size();
        fake.set(GUEST_RIP, 0x1000);
        fake.set(VM_EXIT_INSTRUCTION_LEN, insn_len);
        fake.set(GUEST_SS_AR_BYTES, 0x93); // DPL 0
    }
    /// An exit with the raw VM_EXIT_REASON @p raw through handle_exit(): true if the guest stops.
    bool exit_raw(uint32_t raw, uint64_t qualification = 0) {
        fake.set(VM_EXIT_REASON, raw);
        fake.set(EXIT_QUALIFICATION, qualification);
        return handle_exit(vmcs, regs, ctx);
    }
    /// An exit for basic reason @p r, no flags: true if the guest stops.
    bool exit(ExitReason r, uint64_t qualification = 0) {
        return exit_raw(uint32_t(r), qualification);
    }
    /// The guest's RIP now.
    uint64_t rip() const { return fake.get(GUEST_RIP.encoding); }
};

} // namespace hv::test
