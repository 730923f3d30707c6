// An SMP slave's other CPUs. Each runs in a master thread pinned to its CPU, created when the
// slave starts, which waits until Linux starts it: Linux sends INIT and SIPI through the x2APIC
// ICR; the exit handler records the SIPI's start page instead of sending it (smp_ipi.h,
// KernelSlaveEnv::startup_ipi); the thread then builds its vCPU's VMCS on its own CPU (host
// state is per CPU), in real mode at CS:IP = (page << 8):0000 as a SIPI leaves a CPU (SDM Vol
// 3A 9.4.4; real mode needs "unrestricted guest", which the slave has with EPT, SDM Vol 3C
// 26.6), and runs it like the boot CPU, owning its CPU (dedicated mode) until the slave ends.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/slave/slave_vm.h"
#include "sched/thread.h"

namespace hv {

namespace cpu = kern::cpu;

namespace {

/// What one AP thread is given.
struct ApStart {
    SlaveVm* vm = nullptr;
    unsigned index = 0;
    kern::Thread* thread = nullptr;
    GuestOutcome out; ///< its exits, added to the slave's at the end
    SlaveStats stats; ///< its counters, likewise
    bool ran = false; ///< it was started by a SIPI and ran
};
ApStart g_aps[MAX_SLAVES][MAX_SLAVE_CPUS];

/// Its vCPU in real mode at the SIPI's page, with the boot CPU's EPT and bitmaps.
kern::Result<void> load_ap(SlaveCpu& c, uint8_t page) {
    SlaveVm& vm = c.vm;
    if (!vmx_enabled()) TRY_VOID(vmx_enable_cpu());
    GuestControlRequest req;
    req.use_ept = true;
    req.eptp = vm.mem.ept.eptp(false);
    req.long_mode = false; // Linux's trampoline turns long mode on itself
    req.io_bitmap_a = vm.mem.bitmaps[0];
    req.io_bitmap_b = vm.mem.bitmaps[1];
    req.msr_bitmap = vm.mem.bitmaps[2];
    req.interrupts_to_guest = true;
    req.switch_pat = true;
    VmxState s{};
    capture_host_state(s.host);
    TRY_VOID(choose_controls(vm.caps, req, s.ctl));
    real_mode_guest(s.guest, vm.caps, uint16_t(page) << 8, 0, 0);
    own_fixed_cr_bits(s.ctl, s.guest, vm.caps);
    TRY_VOID(c.vcpu.load(s, vm.caps));
    init_slave_cpu(c);
    return {};
}

void ap_thread(void* arg) {
    ApStart& a = *static_cast<ApStart*>(arg);
    SlaveVm& vm = *a.vm;
    SlaveControl& ctl = vm.control;
    int32_t page = -1;
    while (!ctl.stop.load(kern::MemoryOrder::acquire) &&
           (page = vm.sipi_page[a.index].load(kern::MemoryOrder::acquire)) < 0)
        kern::sleep_until(cpu::rdtsc() + kern::g_clock.tsc_hz / 1000); // Linux waits longer
    if (page < 0) return;
    SlaveCpu c(vm, a.index, a.out, a.stats);
    if (auto r = load_ap(c, uint8_t(page)); !r.ok()) {
        kern::kprintf("%s: CPU %u cannot start: %s\n", vm.label, a.index, r.error().what);
        return;
    }
    kern::kprintf("%s: CPU %u started by Linux (SIPI, page %#x) on the master's CPU %u\n", vm.label,
                  a.index, unsigned(page), kern::this_cpu().index);
    ctl.ap_apics[a.index].store(int64_t(kern::this_cpu().apic_id), kern::MemoryOrder::release);
    SyscallMsrs host_msrs{};
    kern::lapic::LentConfig lapic{};
    run_dedicated(c, host_msrs, lapic); // never babysat: that is for one-CPU slaves
    ctl.ap_apics[a.index].store(int64_t(-1), kern::MemoryOrder::release);
    cpu::sti();
    a.ran = true;
}

/// Add @p from's counts into @p to.
void add_counts(GuestOutcome& to, const GuestOutcome& from) {
    for (unsigned i = 0; i < EXIT_REASON_COUNT; ++i)
        to.exits[i] += from.exits[i];
    to.total_exits += from.total_exits;
    to.nmis += from.nmis;
    to.injected_gp += from.injected_gp;
    to.cr_writes += from.cr_writes;
    to.guest_cycles += from.guest_cycles;
}

void add_counts(SlaveStats& to, const SlaveStats& from) {
    to.console_exits += from.console_exits;
    to.other_io_exits += from.other_io_exits;
    to.msr_emulated += from.msr_emulated;
    to.msr_gp += from.msr_gp;
    to.logged_msrs += from.logged_msrs;
    to.icr_allowed += from.icr_allowed;
    to.icr_denied += from.icr_denied;
    to.stray_accesses += from.stray_accesses;
    to.idle_hlts += from.idle_hlts;
    to.hypercalls += from.hypercalls;
    to.doorbells += from.doorbells;
    to.ioapic_exits += from.ioapic_exits;
    to.uart_irqs += from.uart_irqs;
    to.startup_ipis += from.startup_ipis;
    to.hlts_not_idle += from.hlts_not_idle;
}

} // namespace

kern::Result<void> start_slave_aps(SlaveVm& vm) {
    for (unsigned i = 1; i < vm.ncpus; ++i) {
        ApStart& a = g_aps[vm.id][i];
        a = ApStart{};
        a.vm = &vm;
        a.index = i;
        kern::ThreadOptions o;
        o.name = "slave-ap";
        o.cpu = vm.host_cpus[i];
        o.stack_size = 32768;
        auto t = kern::thread_create(ap_thread, &a, o);
        if (!t.ok()) {
            kern::kprintf("%s: no thread for its CPU %u: %s\n", vm.label, i, t.error().what);
            vm.control.stop.store(true, kern::MemoryOrder::seq_cst);
            for (unsigned j = 1; j < i; ++j)
                kern::thread_join(g_aps[vm.id][j].thread);
            return t.error();
        }
        a.thread = t.value();
    }
    return {};
}

void stop_slave_aps(SlaveVm& vm) {
    if (vm.ncpus > 1)
        kern::kprintf("%s: CPU 0 ended: %s after %lu VM exits, at RIP %#lx\n", vm.label,
                      guest_end_name(vm.res.out.end), vm.res.out.total_exits, vm.res.out.guest_rip);
    for (unsigned i = 1; i < vm.ncpus; ++i) {
        ApStart& a = g_aps[vm.id][i];
        if (int64_t id = vm.control.ap_apics[i].load(kern::MemoryOrder::acquire); id >= 0)
            kern::lapic::send_ipi(uint32_t(id), kern::lapic::NMI); // an exit, to see the stop at
        kern::thread_join(a.thread);
        if (!a.ran) continue;
        kern::kprintf("%s: CPU %u ended: %s after %lu VM exits, at RIP %#lx\n", vm.label, i,
                      guest_end_name(a.out.end), a.out.total_exits, a.out.guest_rip);
        add_counts(vm.res.out, a.out);
        add_counts(vm.res.stats, a.stats);
    }
}

} // namespace hv
