// A guest's virtual CPU: its VMCS, the registers the VMCS does not hold, its FPU state.
//
// Every guest is made of vCPUs (a test guest has one, the Linux slave one per CPU it is given),
// and every vCPU runs through the one run loop (run_loop.h). A vCPU lives in the thread that
// runs it, or is lent to its callers' threads (the babysat slave); it is only ever current on
// one CPU at a time, and the run loop makes its VMCS current before each entry (SDM Vol 3C 25.1:
// one current VMCS per logical processor, VMPTRLD makes it so).
#pragma once

#include "core/result.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/exit_history.h"
#include "hypervisor/core/guest_outcome.h"
#include "hypervisor/core/guest_regs.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/guest_fpu.h"

#include <stdint.h>

namespace hv {

/// One virtual CPU.
class Vcpu {
  public:
    /// A vCPU called @p name in messages ("guest 'spin'", "slave"), counting its exits and its
    /// end into @p out, which must outlive it.
    Vcpu(const char* name, GuestOutcome& out) : m_name(name), m_out(&out) {}
    Vcpu(const Vcpu&) = delete;
    Vcpu& operator=(const Vcpu&) = delete;
    /// VMCLEARs and frees its VMCS (on the CPU it last ran on), frees its FPU area.
    ~Vcpu();

    /// Validate @p s with the VM-entry checker, then write it into a new VMCS of this vCPU (left
    /// current on the calling CPU), and allocate its FPU area. The refusal of a field is printed.
    [[nodiscard]] kern::Result<void> load(const VmxState& s, const VmxCaps& caps);

    /// As load(), without the VM-entry checker and quietly (an entry failure is recorded, not
    /// printed): for tests that study what the CPU refuses (the differential entry-check test).
    [[nodiscard]] kern::Result<void> load_unchecked(const VmxState& s);
    /// True for a vCPU made by load_unchecked(): its failures are expected, not reported.
    bool quiet() const { return m_quiet; }

    /// Its VMCS, through VMREAD/VMWRITE (valid while it is current: in the run loop's hooks).
    Vmcs<RealVmcs>& vmcs() { return m_vmcs; }
    /// The VMREAD/VMWRITE back end: remembers the first failed access.
    RealVmcs& real() { return m_real; }
    /// Physical address of its VMCS (0 before load()).
    uint64_t vmcs_phys() const { return m_vmcs_phys; }
    /// The general-purpose registers the VMCS does not hold (vm_entry.S loads and saves them).
    GuestRegs& regs() { return m_regs; }
    /// Its x87/SSE/AVX registers.
    GuestFpu& fpu() { return m_fpu; }
    /// Exits, end, time: the guest's outcome.
    GuestOutcome& out() { return *m_out; }
    /// Its name in messages.
    const char* name() const { return m_name; }
    /// True once VMLAUNCH succeeded: later entries are VMRESUMEs (SDM Vol 3C 25.11.3).
    bool launched() const { return m_launched; }
    /// The run loop's: a VM entry succeeded.
    void set_launched() { m_launched = true; }
    /// Its last exits, recorded by the run loop (printed when it stops unexpectedly).
    ExitHistory& history() { return m_history; }

  private:
    const char* m_name;
    GuestOutcome* m_out;
    RealVmcs m_real;
    Vmcs<RealVmcs> m_vmcs{m_real};
    uint64_t m_vmcs_phys = 0;
    GuestRegs m_regs{};
    GuestFpu m_fpu;
    bool m_launched = false;
    bool m_quiet = false;
    ExitHistory m_history;
};

} // namespace hv
