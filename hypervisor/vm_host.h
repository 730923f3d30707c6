// What the run loop and every guest (guest.cc for the test guests, slave/ for the Linux slave)
// takes from the running master: the VMX capabilities, the host state a VM exit returns to,
// XCR0 (with each vCPU's FPU state: guest_fpu.h), and the ExitEnv that gives the pure exit handlers
// the host's CPUID and console.
#pragma once

#include "hypervisor/core/exit_history.h"

#include "arch/x86_64/cpu.h"
#include "core/result.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/entry_check/vmx_state.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/line_queue.h"

#include <stdint.h>

namespace hv {

/// The capability values the pure code (controls, entry checks) takes, from the MSRs read at VMXON.
VmxCaps caps_of(const VmxMsrs& m);

/// The host state a VM exit returns to: this CPU, this kernel (SDM Vol 3C 27.2.2-27.2.4).
void capture_host_state(VmxHostState& h);

/// XSETBV (SDM Vol 2C): load XCR0. Needs CR4.OSXSAVE, which vmx_enable_cpu() sets when the CPU
/// has XSAVE.
void xsetbv(uint64_t value);

class GuestFpu;

/// The exit handlers' lines held back while interrupts are off (line_queue.h): a guest's
/// hypercall prints, the state dump of a guest that ended, a slave's refusals.
using ExitLog = LineQueue<8, HC_PRINT_MAX + 64>;

/// Empty @p q, filled with interrupts off on this CPU: each line is taken out with interrupts off
/// and handed to @p each(line) with interrupts as the caller has them (on: the point of
/// holding); lines the queue dropped are told first, to @p lost(count).
template <unsigned LINES, unsigned WIDTH, class Each, class Lost>
void drain_lines(LineQueue<LINES, WIDTH>& q, Each each, Lost lost) {
    for (;;) {
        char line[WIDTH];
        bool have;
        uint64_t dropped;
        {
            kern::cpu::IrqSave irqs;
            have = q.pop(line);
            dropped = q.take_dropped();
        }
        if (dropped) lost(dropped);
        if (!have) return;
        each(line);
    }
}

/// Print what @p log holds (drain_lines()).
void print_held(ExitLog& log);

/// The machine behind the exit handlers: the host CPU's CPUID and the master's console.
struct KernelExitEnv final : ExitEnv {
    CpuidRegs host_cpuid(uint32_t leaf, uint32_t subleaf) override;
    void log(const char* line) override;
    uint64_t xcr0_supported() override;
    /// The guest's XSETBV: its vCPU's FPU state learns the new XCR0 (guest_fpu.h).
    void set_xcr0(uint64_t value) override;
    void invept(uint64_t eptp) override;
    GuestFpu* fpu = nullptr; ///< the running vCPU's FPU state, nullptr: load XCR0 directly
    /// Where log() puts its lines, to be printed later with print_held(); nullptr: print at once.
    ExitLog* held = nullptr;
    bool holding = false; ///< log() put a line into `held` since the flag was last cleared
};

/// Validate @p s with the VM-entry checker (a refusal is printed with the field at fault),
/// allocate a VMCS, make it current and write @p s into it through @p real. @p who starts the
/// messages ("guest 'spin'", "slave"). Returns the VMCS's physical address.
kern::Result<uint64_t> load_new_vmcs(const VmxState& s, const VmxCaps& caps, RealVmcs& real,
                                     const char* who);

/// Allocate a VMCS, make it current and write @p s into it through @p real, unvalidated (the
/// checker's part of load_new_vmcs). A failed VMWRITE is reported by field unless @p quiet.
kern::Result<uint64_t> write_new_vmcs(const VmxState& s, RealVmcs& real, const char* who,
                                      bool quiet = false);

/// Check the outcome of a VMX instruction: false, with a message naming @p insn, @p who and the
/// VM-instruction error (read from the current VMCS for VMfailValid), if it failed.
[[nodiscard]] bool vmx_check(vmx::VmxStatus status, const char* insn, const char* who);

/// Print why VMLAUNCH (@p launched false) or VMRESUME failed (@p rc from vmx_enter); returns the
/// VM-instruction error (0 for VMfailInvalid).
uint64_t report_entry_failure(int rc, bool launched, RealVmcs& real, const char* who);

/// Give back what a guest's memory plan holds: its EPT if @p ept is not null (after INVEPT, so
/// that no cached translation outlives the tables' frames: ept.h's contract, SDM Vol 3C
/// 29.4.3.3; a no-op in Bochs, required on real CPUs), its @p ram_frames frames of RAM from
/// @p ram, its I/O and MSR bitmaps (0: none). @p who names it if INVEPT fails.
void release_guest_memory(Ept* ept, uint64_t ram, uint64_t ram_frames, const uint64_t (&bitmaps)[3],
                          const char* who);

/// Print the guest's control registers, RIP, RSP, RFLAGS, EFER and general registers, through
/// @p env's log (held back if it holds its lines) or, without one, at once.
/// Print @p h, a vCPU's last exits, oldest first, under a line naming @p who; nothing if it is
/// empty. For a guest that stopped for a reason other than HLT or its own exit hypercall.
void print_exit_history(const ExitHistory& h, const char* who);

/// Whether a guest that ended with @p e stopped unexpectedly (neither HLT nor its own HC_EXIT):
/// then its exit history is worth printing.
inline bool stopped_unexpectedly(GuestEnd e) {
    return e != GuestEnd::halted && e != GuestEnd::exited;
}

void dump_guest_state(Vmcs<RealVmcs>& v, const GuestRegs& r, const char* who,
                      ExitEnv* env = nullptr);

/// `@@ guest_exits name=<name> total=N <REASON>=count ...`: exits per reason, for graders.
void report_exit_counts(const char* name, uint64_t total,
                        const uint64_t (&exits)[EXIT_REASON_COUNT]);

} // namespace hv
