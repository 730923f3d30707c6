// Babysat mode (docs/delegation.md): the slave no longer has a CPU of its own. Its thread parks,
// the CPU's interrupts and local APIC are the master's again, and the slave runs only when a
// caller on that CPU runs it (linux_slave_babysit), in the caller's thread and inside the
// caller's budget, through the one run loop with BabysatPolicy. Its local APIC is a model
// (vlapic.h) whose timer runs on the slave's own clock, which stands still while it is parked.
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/arch/msr.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/slave/babysat_budget.h"
#include "hypervisor/run_loop.h"
#include "hypervisor/slave/slave_vm.h"
#include "sched/thread.h"

namespace hv {

namespace cpu = kern::cpu;
namespace lapic = kern::lapic;

namespace {

/// A caller's run of the parked slave: at most `budget` cycles of the caller's time, ended by
/// the master's interrupts (external-interrupt exiting), the VMX-preemption timer, an idle
/// slave, its doorbell or its end. The decisions are lab 9's: BabysatRun (babysat_budget.h)
/// before each entry, babysat_policy.h's around it (applied by babysat_exits.h).
class BabysatPolicy {
  public:
    static constexpr bool INTERRUPTS_BETWEEN_EXITS = false;
    BabysatPolicy(SlaveVm& vm, uint64_t budget)
        : m_vm(vm),
          m_run(cpu::rdtsc(), budget, kern::sched_timer_due(), vm.parked_at, vm.tsc_offset) {}

    RunStep before_entry(Vcpu& v) {
        bool first = !m_run.started();
        BabysatClock clock{};
        uint64_t budget_left = 0;
        if (!m_run.before_entry(cpu::rdtsc(), clock, budget_left, result)) return RunStep::leave;
        if (first) v.vmcs().write(TSC_OFFSET, uint64_t(m_vm.tsc_offset));
        m_clock = clock;
        babysat_prepare_entry(v.vmcs(), m_vm.bsp.sctx, clock, budget_left, m_vm.timer_rate_shift);
        v.vmcs().write(HOST_CR3, cpu::read_cr3()); // the caller's address space
        m_host_msrs = SyscallMsrs::read();
        m_vm.guest_msrs.load();
        return RunStep::resume;
    }

    void after_exit(Vcpu&) {
        m_vm.guest_msrs = SyscallMsrs::read();
        m_host_msrs.load();
    }

    RunStep on_exit(Vcpu& v) {
        BabysatClock clock = m_clock;
        clock.host_now = cpu::rdtsc();
        BabysatStep s = babysat_exit(v.vmcs(), v.regs(), m_vm.bsp.sctx, clock);
        m_vm.control.exits.fetch_add(1, kern::MemoryOrder::relaxed);
        if (!s.leave) return RunStep::resume;
        result = s.result;
        return RunStep::leave;
    }

    /// Why the run ended; `stopped` unless the policy ended it (a failed entry or VMCS access).
    BabysitResult result{BabysitEnd::stopped, 0};

  private:
    SlaveVm& m_vm;
    BabysatRun m_run;       ///< the budget, the master's timer, the slave's clock (lab 9)
    BabysatClock m_clock{}; ///< as of the last entry (the offset and the master's timer)
    SyscallMsrs m_host_msrs{};
};

} // namespace

bool switch_to_babysat(SlaveVm& vm) {
    using namespace vmx_bits;
    using namespace kern::x86;
    LapicSnapshot real{};
    for (uint32_t i = 0; i < 8; ++i) {
        real.isr[i] = lapic::read(lapic::Reg(lapic::ISR0 + 0x10 * i));
        real.irr[i] = lapic::read(lapic::Reg(lapic::IRR0 + 0x10 * i));
    }
    real.svr = lapic::read(lapic::SVR);
    real.tpr = lapic::read(lapic::TPR);
    real.lvt_timer = lapic::read(lapic::LVT_TIMER);
    real.tsc_deadline = cpu::rdmsr(kern::x86::IA32_TSC_DEADLINE);
    bool preemption_timer = (vmx_msrs().pinbased >> 32) & PIN_PREEMPTION_TIMER; // allowed-1 (A.3.1)
    VirtualLapic vlapic(kern::this_cpu().apic_id);
    if (!babysat_park(real, preemption_timer, vlapic)) return false; // lab 9: not here, not now
    vm.vlapic = vlapic;
    fill_slave_bitmaps(vm.mem, true);
    Vmcs<RealVmcs>& v = vm.bsp.vcpu.vmcs();
    v.write(PIN_BASED_VM_EXEC_CONTROL, uint32_t(v.read(PIN_BASED_VM_EXEC_CONTROL)) |
                                           PIN_EXTERNAL_INTERRUPT_EXITING | PIN_PREEMPTION_TIMER);
    v.write(CPU_BASED_VM_EXEC_CONTROL,
            uint32_t(v.read(CPU_BASED_VM_EXEC_CONTROL)) | PROC_USE_TSC_OFFSETTING);
    vm.bsp.sctx.vlapic = &vm.vlapic;
    vm.bsp.sctx.rx_edges_posted = false; // from now on the caller's run sends them
    vm.bsp.sctx.uart_line = false;
    return true;
}

void park_babysat(SlaveVm& vm, const SyscallMsrs& host_msrs, const lapic::LentConfig& saved) {
    SlaveControl& c = vm.control;
    vm.guest_msrs = SyscallMsrs::read();
    vm.cpu = kern::this_cpu().index;
    vm.timer_rate_shift = unsigned(vmx_msrs().misc & 0x1F); // IA32_VMX_MISC[4:0] (A.6)
    vm.tsc_offset = 0;
    vm.parked_at = cpu::rdtsc();
    vm.died.store(false, kern::MemoryOrder::relaxed);
    host_msrs.load();
    lapic::take_back_from_guest(saved);
    kern::sched_timer_lost();
    kern::kprintf("%s: babysat mode: CPU %u is the master's again; Linux runs only inside its "
                  "callers' budgets\n",
                  vm.label, vm.cpu);
    // From here its exits run on its callers' time, interrupts off: the longest counts anew.
    kern::kprintf(
        "%s: longest VM exit handled while dedicated: %lu cycles (%s, exit qualification %#lx)\n",
        vm.label, vm.res.out.longest_exit_cycles, exit_reason_name(vm.res.out.longest_exit_reason),
        vm.res.out.longest_exit_qualification);
    vm.res.out.longest_exit_cycles = 0;
    vm.res.out.longest_exit_reason = 0;
    // Its lines wait from here until this thread prints them with interrupts on: its callers
    // run it with theirs off.
    vm.queue_console = true;
    vm.bsp.env.held = &vm.exit_log;
    c.parked_cpu.store(vm.cpu, kern::MemoryOrder::release);
    c.parked.store(&vm, kern::MemoryOrder::release);
    cpu::sti();
    while (!c.stop.load(kern::MemoryOrder::acquire) && !vm.died.load(kern::MemoryOrder::acquire)) {
        kern::sleep_until(cpu::rdtsc() + kern::g_clock.tsc_hz / 100);
        vm.senv.flush_console(); // what its callers' runs printed, now with interrupts on
    }
    cpu::cli(); // no caller on this CPU runs it from here: they run with interrupts off
    c.parked.store(static_cast<SlaveVm*>(nullptr), kern::MemoryOrder::release);
    c.parked_cpu.store(~0u, kern::MemoryOrder::release);
    vm.queue_console = false;
    vm.bsp.env.held = nullptr;
    cpu::sti();
    vm.senv.flush_console(); // the last lines its callers queued
    if (!vm.died.load(kern::MemoryOrder::acquire)) vm.res.out.end = GuestEnd::exited;
}

BabysitResult linux_slave_babysit(uint64_t budget, unsigned slave) {
    cpu::IrqSave irqs; // before looking: the parked thread tears down only with IF clear
    if (slave >= MAX_SLAVES) return {BabysitEnd::unavailable, 0};
    SlaveControl& c = g_slave_controls[slave];
    if (c.parked_cpu.load(kern::MemoryOrder::acquire) != kern::this_cpu().index)
        return {BabysitEnd::unavailable, 0};
    SlaveVm* vm = c.parked.load(kern::MemoryOrder::acquire);
    if (!vm || vm->died.load(kern::MemoryOrder::acquire)) return {BabysitEnd::unavailable, 0};
    BabysatPolicy policy(*vm, budget);
    run_vcpu(vm->bsp.vcpu, policy);
    vm->parked_at = cpu::rdtsc();
    if (policy.result.end == BabysitEnd::stopped) // halted, panicked, crashed: its thread reports
        vm->died.store(true, kern::MemoryOrder::release);
    return policy.result;
}

} // namespace hv
