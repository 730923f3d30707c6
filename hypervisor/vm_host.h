// What every guest run loop (guest.cc for the test guests, linux_slave.cc for the Linux slave)
// takes from the running master: the VMX capabilities, the host state a VM exit returns to,
// XCR0 switching, and the ExitEnv that gives the pure exit handlers the host's CPUID and console.
#pragma once

#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/exit_dispatch.h"

#include <stdint.h>

namespace hv {

/// The capability values the pure code (controls, entry checks) takes, from the MSRs read at VMXON.
VmxCaps caps_of(const VmxMsrs& m);

/// The host state a VM exit returns to: this CPU, this kernel (SDM Vol 3C 27.2.2-27.2.4).
void capture_host_state(VmxHostState& h);

/// XSETBV (SDM Vol 2C): load XCR0. Needs CR4.OSXSAVE, which vmx_enable_cpu() sets when the CPU
/// has XSAVE.
void xsetbv(uint64_t value);

/// The machine behind the exit handlers: the host CPU's CPUID and the master's console.
struct KernelExitEnv final : ExitEnv {
    CpuidRegs host_cpuid(uint32_t leaf, uint32_t subleaf) override;
    void log(const char* line) override;
    uint64_t xcr0_supported() override;
    void set_xcr0(uint64_t value) override { xsetbv(value); }
};

} // namespace hv
