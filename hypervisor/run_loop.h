// The one VM run loop: every guest's every VM entry goes through run_vcpu().
//
//   for (;;) {
//       interrupts off; make the vCPU's VMCS current
//       policy.before_entry()       inject an interrupt, arm the preemption timer, swap MSRs
//       VM entry (vm_entry.S) ..... the guest runs until a VM exit
//       policy.after_exit()         undo before_entry's changes to the host
//       the exit recorded in the vCPU's history (its last 16 exits, for a post-mortem)
//       policy.on_exit()            the pure exit handlers decide: resume, or leave the loop
//       interrupts as the policy says
//   }
//
// The mode a guest runs in is the policy it is given, not a copy of the loop:
//   - a test guest (guest.cc): runs in a master thread, the master's interrupts are taken
//     between exits (external-interrupt exiting), its time is its thread's;
//   - the Linux slave on its own CPU (slave/slave_run.cc): its local APIC and interrupts are
//     passed through, the CPU's interrupts stay off in root mode, it runs until stopped;
//   - the babysat slave (slave/slave_babysat.cc): run by a caller's thread inside the caller's
//     budget (VMX-preemption timer), with a virtual LAPIC; the master's interrupts end the run.
// Every decision a policy takes after an exit is pure code over the VmcsAccess concept
// (core/exit_dispatch.h, core/slave/slave_exits.h, core/slave/babysat_exits.h), replayed on
// FakeVmcs in host tests. run_vcpu() below is the only caller of the VM-entry routine.
//
// The loop is a template over the policy, so that each mode's handlers are compiled into its
// loop: an exit costs no indirect call (measured with `make bench`: cpuid_exit_round_trip).
#pragma once

#include "arch/x86_64/cpu.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/vcpu.h"

#include <concepts>

namespace hv {

/// What the loop does next.
enum class RunStep : uint8_t {
    resume, ///< enter the guest again
    leave,  ///< return from run_vcpu (the policy recorded why)
};

/// A mode of running a vCPU. The hooks run on the vCPU's CPU with interrupts off and its VMCS
/// current; a failed VMREAD or VMWRITE in them ends the vCPU (GuestEnd::vmcs_failed).
///   - `INTERRUPTS_BETWEEN_EXITS`: true if the master's pending interrupts are taken after each
///     exit (the guest runs in a master thread that may be preempted between exits); false if
///     interrupts stay off for the whole run (they are the guest's, or an external-interrupt
///     exit ends the run);
///   - `between_exits(v)` (only with INTERRUPTS_BETWEEN_EXITS): after on_exit, with interrupts
///     on and the thread preemptible: slow work such as printing the exit's console lines (a
///     UART line takes milliseconds, which the CPU's real-time threads must not wait for);
///   - `before_entry(v)`: get the next entry ready; RunStep::leave ends the run without entering;
///   - `after_exit(v)`: right after the exit, before anything else: undo what before_entry did
///     to the host;
///   - `on_exit(v)`: handle the exit and decide.
template <class P>
concept RunPolicy = requires(P& p, Vcpu& v) {
    { P::INTERRUPTS_BETWEEN_EXITS } -> std::convertible_to<bool>;
    { p.before_entry(v) } -> std::same_as<RunStep>;
    {p.after_exit(v)};
    { p.on_exit(v) } -> std::same_as<RunStep>;
    requires !P::INTERRUPTS_BETWEEN_EXITS || requires {
        p.between_exits(v);
    };
};

/// The run loop's out-of-line steps (run_loop.cc).
namespace run_loop {
/// Make @p v's VMCS current on this CPU (VMPTRLD); false (the vCPU ended, the failure printed)
/// if VMPTRLD failed.
bool make_current(Vcpu& v);
/// A VMREAD or VMWRITE failed: end the vCPU naming the field and the VM-instruction error, dump
/// its state.
void vmcs_failed(Vcpu& v);
/// VMLAUNCH/VMRESUME failed (@p rc from vmx_enter): end the vCPU, print why.
void entry_failed(Vcpu& v, int rc);
/// The run ends: record the guest's RIP and FPU counters, the master's XCR0 again.
void finish(Vcpu& v);
/// Record the exit that just happened in @p h. Plain VMREADs of the current VMCS: right after
/// an exit they cannot fail (the exit-information fields are readable, SDM Vol 3C 25.9), and
/// the unchecked reads keep the cost of every exit low (3 VMREADs; `make bench`).
[[gnu::always_inline]] inline void record_exit(ExitHistory& h) {
    uint64_t reason = 0, qualification = 0, rip = 0;
    (void)vmx::vmread(VM_EXIT_REASON.encoding, &reason);
    (void)vmx::vmread(EXIT_QUALIFICATION.encoding, &qualification);
    (void)vmx::vmread(GUEST_RIP.encoding, &rip);
    h.record(uint32_t(reason), qualification, rip);
}
} // namespace run_loop

/// Run @p v under @p p until the policy leaves, the entry fails (GuestEnd::entry_failed, the
/// VM-instruction error printed and in out().detail) or a VMX instruction fails
/// (GuestEnd::vmcs_failed, the field and error printed, the guest's state dumped). Any interrupt
/// state on entry, restored on return; out().guest_rip and the FPU counters are up to date.
template <RunPolicy P> void run_vcpu(Vcpu& v, P& p) {
    namespace cpu = kern::cpu;
    cpu::IrqSave irqs; // the caller's interrupt state comes back on return
    GuestOutcome& out = v.out();
    for (;;) {
        cpu::cli();
        // Another vCPU may have been current here since the last exit: a thread preempted
        // between exits, a babysitting caller (SDM Vol 3C 25.1: one current VMCS per CPU).
        if (vmx::vmptrst() != v.vmcs_phys() && !run_loop::make_current(v)) break;
        RunStep step = p.before_entry(v);
        if (!v.real().ok()) {
            run_loop::vmcs_failed(v);
            break;
        }
        if (step == RunStep::leave) break;
        v.fpu().enter();
        uint64_t t0 = cpu::rdtsc();
        int rc = vmx_enter(&v.regs(), v.launched() ? 1 : 0);
        [[maybe_unused]] uint64_t t_exit = cpu::rdtsc();
        out.guest_cycles += t_exit - t0;
        p.after_exit(v);
        if (rc != int(EntryResult::vm_exit)) {
            run_loop::entry_failed(v, rc);
            break;
        }
        v.set_launched();
        run_loop::record_exit(v.history());
        step = p.on_exit(v);
        if constexpr (!P::INTERRUPTS_BETWEEN_EXITS) { // interrupts off all the run: how long
            if (uint64_t took = cpu::rdtsc() - t_exit; took > out.longest_exit_cycles) {
                out.longest_exit_cycles = took; // a new longest: rare, so the VMREADs are cheap
                out.longest_exit_reason = uint16_t(v.vmcs().read(VM_EXIT_REASON));
                out.longest_exit_qualification = v.vmcs().read(EXIT_QUALIFICATION);
            }
        }
        if (!v.real().ok()) {
            run_loop::vmcs_failed(v);
            break;
        }
        if (step == RunStep::leave) break;
        if constexpr (P::INTERRUPTS_BETWEEN_EXITS) {
            v.fpu().leave();             // the master's XCR0 while it runs
            cpu::sti_and_take_pending(); // one that caused the exit is taken now
            p.between_exits(v);          // interrupts off again at the top of the loop
        }
    }
    run_loop::finish(v);
}

} // namespace hv
