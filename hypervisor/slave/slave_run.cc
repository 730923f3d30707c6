// Running the Linux slave on a CPU the master gives it whole (dedicated mode), and the master's
// cross-CPU controls of the running slave: stop it, wake its daemon, count its exits, move it to
// babysat mode.
//
//   master CPU 0: real-time threads, rtlat, the master's console
//   slave CPU N:  this thread, interrupts off; Linux in VMX non-root operation; its exits are
//                 handled here (run_loop.h), on CPU N
//
// The slave's local APIC, timer and interrupts are its own (passed through: no exits for them);
// its RAM is a dedicated host region behind EPT; its console is an emulated 16550 whose lines
// the master prints as "[linux] ..."; its ICR writes are filtered (icr_filter.h). The master
// takes the CPU back with an NMI (linux_slave_request_stop) or when Linux halts or dies.
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/run_loop.h"
#include "hypervisor/slave/slave_vm.h"
#include "sched/thread.h"

namespace hv {

namespace cpu = kern::cpu;
using kern::Errc;
using kern::Error;

SlaveControl g_slave_controls[MAX_SLAVES];

namespace {

/// Dedicated mode: the CPU is the slave's. Interrupts stay off in root mode (VM exits keep IF
/// clear), so each one waits for the next VM entry and goes to the slave. The run ends when the
/// master asks (stop, or babysat mode at a safe exit) or a handler stops the vCPU.
class DedicatedPolicy {
  public:
    static constexpr bool INTERRUPTS_BETWEEN_EXITS = false;
    explicit DedicatedPolicy(SlaveCpu& c) : m_c(c), m_vm(c.vm) {}

    RunStep before_entry(Vcpu& v) {
        if (!m_vm.control.stop.load(kern::MemoryOrder::acquire)) return RunStep::resume;
        v.out().end = GuestEnd::exited;
        return RunStep::leave;
    }
    void after_exit(Vcpu&) {}

    RunStep on_exit(Vcpu& v) {
        SlaveControl& c = m_vm.control;
        bool stopping;
        if (m_vm.ncpus > 1) { // its devices and counters are shared with its other vCPUs
            kern::SpinlockGuard g(m_vm.lock);
            stopping = handle_slave_exit(v.vmcs(), v.regs(), m_c.sctx);
        } else {
            stopping = handle_slave_exit(v.vmcs(), v.regs(), m_c.sctx);
        }
        c.exits.fetch_add(1, kern::MemoryOrder::relaxed);
        // For linux_slave_wake() on another CPU: where the UART's interrupt goes now.
        c.uart_vector.store(int32_t(m_vm.ioapic.vector(UART_IOAPIC_PIN)),
                            kern::MemoryOrder::release);
        if (stopping) {
            GuestEnd e = v.out().end;
            if (e == GuestEnd::triple_fault || e == GuestEnd::unhandled_exit ||
                e == GuestEnd::ept_violation)
                dump_guest_state(v.vmcs(), v.regs(), v.name());
            return RunStep::leave;
        }
        if (m_c.index == 0 && m_vm.ncpus == 1 &&
            c.babysat_requested.load(kern::MemoryOrder::acquire) &&
            !c.stop.load(kern::MemoryOrder::acquire) && switch_to_babysat(m_vm)) {
            to_babysat = true;
            return RunStep::leave;
        }
        return RunStep::resume;
    }

    bool to_babysat = false; ///< the run ended to move the slave to babysat mode

  private:
    SlaveCpu& m_c;
    SlaveVm& m_vm;
};

} // namespace

bool linux_slave_request_stop(unsigned slave) {
    if (slave >= MAX_SLAVES) return false;
    SlaveControl& c = g_slave_controls[slave];
    int64_t apic = c.apic.load(kern::MemoryOrder::acquire);
    if (apic < 0) return false;
    // The flag before the NMI: the exit the NMI causes sees it (seq_cst orders the store before
    // the ICR write's effects).
    c.stop.store(true, kern::MemoryOrder::seq_cst);
    kern::lapic::send_ipi(uint32_t(apic), kern::lapic::NMI);
    for (const kern::Atomic<int64_t>& ap : c.ap_apics)
        if (int64_t id = ap.load(kern::MemoryOrder::acquire); id >= 0)
            kern::lapic::send_ipi(uint32_t(id), kern::lapic::NMI);
    return true;
}

void linux_slave_request_babysat(unsigned slave) {
    if (slave >= MAX_SLAVES) return;
    SlaveControl& c = g_slave_controls[slave];
    c.babysat_requested.store(true, kern::MemoryOrder::seq_cst);
    int64_t apic = c.apic.load(kern::MemoryOrder::acquire);
    if (apic >= 0 && !c.parked.load(kern::MemoryOrder::acquire))
        kern::lapic::send_ipi(uint32_t(apic), kern::lapic::NMI); // an exit, to switch at
}

bool linux_slave_babysat_ready(unsigned slave) {
    return slave < MAX_SLAVES &&
           g_slave_controls[slave].parked.load(kern::MemoryOrder::acquire) != nullptr;
}

unsigned linux_slave_cpu(unsigned slave) {
    return slave < MAX_SLAVES ? g_slave_controls[slave].parked_cpu.load(kern::MemoryOrder::acquire)
                              : ~0u;
}

void linux_slave_wake(unsigned slave) {
    if (slave >= MAX_SLAVES) return;
    SlaveControl& c = g_slave_controls[slave];
    c.rx_posts.fetch_add(1, kern::MemoryOrder::seq_cst); // the byte, before its interrupt
    if (c.parked.load(kern::MemoryOrder::acquire))
        return; // the caller's next run of the slave sends the interrupt (linux_slave_babysit)
    int32_t v = c.uart_vector.load(kern::MemoryOrder::acquire);
    int64_t apic = c.apic.load(kern::MemoryOrder::acquire);
    // One WRMSR (x2APIC ICR, SDM Vol 3A 11.12.9), never a wait: the interrupt goes straight to
    // the slave's IDT (its CPU runs with interrupts passed through). Only a fixed interrupt, only
    // to the slave's CPU, whatever Linux wrote into the redirection entry.
    if (v >= 0 && apic >= 0)
        kern::lapic::send_ipi(uint32_t(apic), kern::lapic::FIXED | uint32_t(v));
}

bool linux_slave_exits(uint64_t& exits, unsigned slave) {
    if (slave >= MAX_SLAVES) return false;
    SlaveControl& c = g_slave_controls[slave];
    if (!c.exits_valid.load(kern::MemoryOrder::acquire)) return false;
    exits = c.exits.load(kern::MemoryOrder::relaxed);
    return true;
}

bool run_dedicated(SlaveCpu& c, SyscallMsrs& host_msrs, kern::lapic::LentConfig& lapic) {
    // From here the CPU is the slave's: its local APIC, its SYSCALL MSRs, its interrupts.
    cpu::cli();
    host_msrs = SyscallMsrs::read();
    lapic = kern::lapic::lend_to_guest();
    DedicatedPolicy policy(c);
    run_vcpu(c.vcpu, policy);
    if (policy.to_babysat) return true;
    host_msrs.load();
    kern::lapic::take_back_from_guest(lapic);
    kern::sched_timer_lost();
    if (stopped_unexpectedly(c.vcpu.out().end)) print_exit_history(c.vcpu.history(), c.vcpu.name());
    return false;
}

kern::Result<void> run_linux_slave(const SlaveImages& img, const SlaveOptions& opt,
                                   SlaveResult& res) {
    res = SlaveResult{};
    if (!vmx_enabled()) TRY_VOID(vmx_enable_cpu());
    if (!kern::lapic::x2apic())
        return Error{Errc::unsupported,
                     "the Linux slave needs x2APIC (Linux's Jailhouse guest mode requires it)"};
    if (opt.id >= MAX_SLAVES) return Error{Errc::invalid_argument, "no such slave"};
    SlaveVm vm(res, opt.id);
    TRY_VOID(build_slave_vm(vm, img, opt));
    vm.bsp.sctx.rx_edges_posted = true; // dedicated mode: linux_slave_wake() sends the interrupt
    SlaveControl& c = vm.control;
    vm.uart.attach_rx(&c.rx_posts);
    c.stop.store(false, kern::MemoryOrder::relaxed);
    c.babysat_requested.store(false, kern::MemoryOrder::relaxed);
    c.exits.store(0, kern::MemoryOrder::relaxed);
    c.exits_valid.store(true, kern::MemoryOrder::release);
    if (auto r = start_slave_aps(vm); !r.ok()) {
        c.exits_valid.store(false, kern::MemoryOrder::release);
        return r.error();
    }
    c.apic.store(int64_t(kern::this_cpu().apic_id), kern::MemoryOrder::release);
    res.launch_tsc = cpu::rdtsc();
    SyscallMsrs host_msrs{};
    kern::lapic::LentConfig lapic{};
    if (run_dedicated(vm.bsp, host_msrs, lapic)) park_babysat(vm, host_msrs, lapic);
    res.end_tsc = cpu::rdtsc();
    // Its other CPUs end with it (Linux stopped them before it halted, or they are stopped now).
    c.stop.store(true, kern::MemoryOrder::seq_cst);
    cpu::sti();
    stop_slave_aps(vm);
    c.apic.store(int64_t(-1), kern::MemoryOrder::release);
    c.exits_valid.store(false, kern::MemoryOrder::release);
    c.uart_vector.store(int32_t(-1), kern::MemoryOrder::release);
    vm.uart.flush();
    return {};
}

} // namespace hv
