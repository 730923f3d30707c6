#include "hypervisor/slave/linux_slave.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/format.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/io_msr_bitmaps.h"
#include "hypervisor/core/slave/bzimage.h"
#include "hypervisor/core/slave/ept_sink.h"
#include "hypervisor/core/slave/slave_layout.h"
#include "hypervisor/core/slave/vlapic.h"
#include "hypervisor/guest_fpu.h"
#include "hypervisor/vm_host.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "platform.h"
#include "sched/thread.h"

namespace hv {

namespace cpu = kern::cpu;
using kern::Errc;
using kern::Error;

namespace {

constexpr uint32_t MSR_APIC_BASE = 0x1B;
constexpr uint32_t MSR_TSC_DEADLINE = 0x6E0;
constexpr uint32_t MSR_X2APIC_EOI = 0x80B;
constexpr uint32_t MSR_X2APIC_ISR0 = 0x810; // ISR bits 31:0; 0x817 holds 255:224
constexpr uint32_t LVT_MASKED = 1u << 16;
constexpr uint32_t x2apic_msr(uint32_t xapic_offset) {
    return 0x800 + xapic_offset / 16;
}

/// Set by linux_slave_request_stop(); read by the exit handler and before each VM entry.
volatile bool g_stop = false;
/// Set by linux_slave_request_babysat(): move to babysat mode at the next safe exit.
volatile bool g_babysat_requested = false;

/// What a caller needs to run the parked slave (babysat mode): everything lives on the slave
/// thread's stack, which waits in run_linux_slave() for as long as this is published.
struct Babysat {
    Vmcs<RealVmcs>* vmcs;
    RealVmcs* real;
    uint64_t vmcs_phys;
    GuestRegs* regs;
    SlaveExitContext* sctx;
    SlaveResult* res;
    VirtualLapic* vlapic;
    GuestFpu* fpu; // its x87/SSE/AVX registers: another guest may run on this CPU between runs
    unsigned cpu;
    unsigned rate_shift; // IA32_VMX_MISC[4:0]: the preemption timer counts TSC >> this
    volatile bool died;  // the slave ended while a caller ran it
    // The SYSCALL MSRs and the swapgs base are not in the VMCS: the guest's live here between
    // runs and are swapped with the master's around each one.
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    // The slave's clock runs only while it runs: the time it spends parked is taken out of its
    // TSC (TSC offsetting, SDM Vol 3C 26.6.5), or Linux would spend its next run catching up
    // with every tick it missed (measured: ~5% of the parked time, all on the next caller's
    // budget). tsc_offset is guest TSC - host TSC; parked_at the host TSC when it last stopped.
    int64_t tsc_offset;
    uint64_t parked_at;
};

/// The MSRs Babysat swaps by hand, in its field order.
constexpr uint32_t SWAPPED_MSRS[] = {0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000102};
Babysat* volatile g_babysat = nullptr;
/// APIC id of the CPU running the slave, or -1.
volatile int64_t g_slave_apic = -1;
/// The UART receiver's posts (Uart16550::attach_rx): linux_slave_wake() adds one.
volatile uint32_t g_rx_posts = 0;
/// The vector Linux routed the UART's I/O APIC pin to, or -1 (masked, or no slave): published by
/// the slave's CPU after each I/O APIC access, read by linux_slave_wake() on another CPU.
volatile int32_t g_uart_vector = -1;
/// Exits of the running slave so far (SlaveResult::out.total_exits), for linux_slave_exits().
const volatile uint64_t* volatile g_exit_count = nullptr;

/// The master's per-CPU state that the slave overwrites while it owns the CPU (SYSCALL MSRs,
/// the swapgs base, its local APIC's configuration), restored when it stops.
struct HostCpuState {
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint32_t svr, tpr, lvt_timer, lvt_thermal, lvt_perf, lvt_lint0, lvt_lint1, lvt_error, divide;
};

void save_host_cpu(HostCpuState& s) {
    s.star = cpu::rdmsr(0xC0000081);
    s.lstar = cpu::rdmsr(0xC0000082);
    s.cstar = cpu::rdmsr(0xC0000083);
    s.fmask = cpu::rdmsr(0xC0000084);
    s.kernel_gs_base = cpu::rdmsr(0xC0000102);
    s.svr = uint32_t(cpu::rdmsr(x2apic_msr(0xF0)));
    s.tpr = uint32_t(cpu::rdmsr(x2apic_msr(0x80)));
    s.lvt_timer = uint32_t(cpu::rdmsr(x2apic_msr(0x320)));
    s.lvt_thermal = uint32_t(cpu::rdmsr(x2apic_msr(0x330)));
    s.lvt_perf = uint32_t(cpu::rdmsr(x2apic_msr(0x340)));
    s.lvt_lint0 = uint32_t(cpu::rdmsr(x2apic_msr(0x350)));
    s.lvt_lint1 = uint32_t(cpu::rdmsr(x2apic_msr(0x360)));
    s.lvt_error = uint32_t(cpu::rdmsr(x2apic_msr(0x370)));
    s.divide = uint32_t(cpu::rdmsr(x2apic_msr(0x3E0)));
}

/// Take the local APIC back: no timer, every LVT masked, every interrupt the slave left in
/// service acknowledged (SDM Vol 3A 11.8.5: each EOI clears the highest ISR bit), then the
/// master's configuration and MSRs as they were.
void restore_host_cpu(const HostCpuState& s) {
    cpu::wrmsr(MSR_TSC_DEADLINE, 0);
    static constexpr uint32_t LVTS[] = {0x320, 0x330, 0x340, 0x350, 0x360, 0x370};
    for (uint32_t lvt : LVTS)
        cpu::wrmsr(x2apic_msr(lvt), LVT_MASKED);
    for (int n = 0; n < 256; ++n) {
        bool in_service = false;
        for (uint32_t i = 0; i < 8; ++i)
            in_service |= cpu::rdmsr(MSR_X2APIC_ISR0 + i) != 0;
        if (!in_service) break;
        cpu::wrmsr(MSR_X2APIC_EOI, 0);
    }
    cpu::wrmsr(x2apic_msr(0xF0), s.svr);
    cpu::wrmsr(x2apic_msr(0x80), s.tpr);
    cpu::wrmsr(x2apic_msr(0x3E0), s.divide);
    cpu::wrmsr(x2apic_msr(0x320), s.lvt_timer);
    cpu::wrmsr(x2apic_msr(0x330), s.lvt_thermal);
    cpu::wrmsr(x2apic_msr(0x340), s.lvt_perf);
    cpu::wrmsr(x2apic_msr(0x350), s.lvt_lint0);
    cpu::wrmsr(x2apic_msr(0x360), s.lvt_lint1);
    cpu::wrmsr(x2apic_msr(0x370), s.lvt_error);
    cpu::wrmsr(0xC0000081, s.star);
    cpu::wrmsr(0xC0000082, s.lstar);
    cpu::wrmsr(0xC0000083, s.cstar);
    cpu::wrmsr(0xC0000084, s.fmask);
    cpu::wrmsr(0xC0000102, s.kernel_gs_base);
}

/// True if `line` contains `word`.
bool contains(const char* line, const char* word) {
    size_t n = strlen(word);
    for (; *line; ++line)
        if (strncmp(line, word, n) == 0) return true;
    return false;
}

/// The machine behind the slave's exit handlers.
struct KernelSlaveEnv final : SlaveEnv {
    Ept* ept = nullptr;
    EptSink* sink = nullptr;
    SlaveResult* res = nullptr;

    void write_icr(uint64_t icr) override { cpu::wrmsr(MSR_X2APIC_ICR, icr); }
    bool absorb_stray_access(uint64_t gpa) override {
        if (!sink->absorb(*ept, gpa).ok()) return false;
        vmx::invept(vmx::INVEPT_SINGLE_CONTEXT,
                    vmx::InveptDescriptor{ept->eptp(false), 0}); // SDM 29.4.3.3
        return true;
    }
    uint64_t apic_base() override { return cpu::rdmsr(MSR_APIC_BASE); }
    void (*on_doorbell)() = nullptr;
    void doorbell() override {
        if (on_doorbell) on_doorbell();
    }
    void console_line(const char* line, size_t n) override {
        kern::kprintf("[linux] %s\n", line);
        size_t keep = n < sizeof res->last_line - 1 ? n : sizeof res->last_line - 1;
        memcpy(res->last_line, line, keep);
        res->last_line[keep] = '\0';
        if (!res->marker_tsc && contains(line, SLAVE_USERSPACE_MARKER)) {
            res->marker_tsc = cpu::rdtsc();
            res->exits_at_marker = res->out.total_exits;
            memcpy(res->boot_exits, res->out.exits, sizeof res->boot_exits);
        }
        if (contains(line, "Kernel panic")) res->panicked = true;
        for (uint32_t i = 0; i < sizeof SLAVE_WATCH / sizeof SLAVE_WATCH[0]; ++i)
            if (contains(line, SLAVE_WATCH[i])) res->seen |= 1u << i;
        if (contains(line, "ESCAPED")) ++res->escaped_lines;
        // Lost FPU state: a checker's report, or Linux's own when XRSTOR refused a task's image.
        if (!res->fpu_failure[0] &&
            (contains(line, "fpucheck: FAIL") || contains(line, "fpucheck: result=fail") ||
             contains(line, "Bad FPU state")))
            keep_line(res->fpu_failure, sizeof res->fpu_failure, line, n);
        if (!res->xsave_failure[0] &&
            (contains(line, "(offered): WRONG") || contains(line, "xsavecheck: result=fail")))
            keep_line(res->xsave_failure, sizeof res->xsave_failure, line, n);
    }
    static void keep_line(char* dst, size_t size, const char* line, size_t n) {
        size_t k = n < size - 1 ? n : size - 1;
        for (size_t i = 0; i < k; ++i) // quotes would end the reason="..." they go into
            dst[i] = line[i] == '"' ? '\'' : line[i];
        dst[k] = '\0';
    }
    static void uart_sink(void* self, const char* line, size_t n) {
        static_cast<KernelSlaveEnv*>(self)->console_line(line, n);
    }
};

/// Everything the slave owns, released in one place (the sink before the EPT it links into).
struct SlaveResources {
    uint64_t ram = 0, ram_frames = 0, vmcs = 0;
    uint64_t bitmaps[3] = {};
    Ept ept;
    EptSink sink;
    bool have_ept = false, have_sink = false;

    ~SlaveResources() {
        if (vmcs) {
            vmx::vmclear(vmcs);
            kern::frame_free(vmcs);
        }
        if (have_ept) {
            if (have_sink) sink.release(ept);
            vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{ept.eptp(false), 0});
            ept.destroy();
        }
        for (uint64_t i = 0; i < ram_frames; ++i)
            kern::frame_free(ram + i * kern::PAGE_SIZE);
        for (uint64_t b : bitmaps)
            if (b) kern::frame_free(b);
    }
};

/// The I/O and MSR bitmaps: everything exits but the PM timer (read-only hardware) and the
/// MSRs of slave_policy.h. Babysat mode keeps the local APIC and its TSC-deadline timer for the
/// master: every x2APIC MSR and IA32_TSC_DEADLINE exits then (the virtual LAPIC serves them).
void fill_bitmaps(SlaveResources& r, bool babysat = false) {
    IoBitmaps io(reinterpret_cast<uint8_t*>(r.bitmaps[0]),
                 reinterpret_cast<uint8_t*>(r.bitmaps[1]));
    io.intercept_all();
    if (kern::g_fadt.pm_timer_port) io.pass(kern::g_fadt.pm_timer_port, 4);
    MsrBitmap msr(reinterpret_cast<uint8_t*>(r.bitmaps[2]));
    msr.intercept_all();
    for (uint32_t m : SLAVE_PASSTHROUGH_MSRS) {
        if (babysat && VirtualLapic::handles(m)) continue;
        msr.pass_read(m);
        bool write_exits = false;
        for (uint32_t w : SLAVE_WRITE_INTERCEPTED_MSRS)
            write_exits |= w == m;
        if (!write_exits) msr.pass_write(m);
    }
    for (uint32_t m = X2APIC_MSR_FIRST; m <= X2APIC_MSR_LAST && !babysat; ++m) {
        msr.pass_read(m);
        if (m != MSR_X2APIC_ICR) msr.pass_write(m);
    }
}

/// Move the running slave to babysat mode, at an exit, on its CPU, interrupts off: its local
/// APIC state goes into @p vl (the real one must have nothing in service: the guest is not in
/// an interrupt handler), its bitmaps and controls change so that the master keeps the CPU's
/// interrupts and LAPIC. False (nothing changed) if the moment is not safe.
bool switch_to_babysat(Vmcs<RealVmcs>& vmcs, SlaveResources& r, VirtualLapic& vl,
                       SlaveExitContext& sctx) {
    for (uint32_t i = 0; i < 8; ++i)
        if (cpu::rdmsr(MSR_X2APIC_ISR0 + i)) return false;
    if (!((vmx_msrs().pinbased >> 32) & (1u << 6))) // "activate VMX-preemption timer" allowed?
        return false;
    vl = VirtualLapic(kern::this_cpu().apic_id);
    vl.seed(uint32_t(cpu::rdmsr(x2apic_msr(0xF0))), uint32_t(cpu::rdmsr(x2apic_msr(0x80))),
            uint32_t(cpu::rdmsr(x2apic_msr(0x320))), cpu::rdmsr(MSR_TSC_DEADLINE));
    for (uint32_t i = 0; i < 8; ++i) // what the guest had pending stays pending, virtually
        for (uint64_t irr = cpu::rdmsr(0x820 + i); irr; irr &= irr - 1)
            vl.raise(uint8_t(i * 32 + __builtin_ctzll(irr)));
    fill_bitmaps(r, true);
    vmcs.write(PIN_BASED_VM_EXEC_CONTROL, uint32_t(vmcs.read(PIN_BASED_VM_EXEC_CONTROL)) |
                                              1u /* external-interrupt exiting */ |
                                              (1u << 6) /* VMX-preemption timer */);
    sctx.vlapic = &vl;
    return true;
}

} // namespace

void linux_slave_request_babysat() {
    g_babysat_requested = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    int64_t apic = g_slave_apic;
    if (apic >= 0 && !g_babysat)
        kern::lapic::send_ipi(uint32_t(apic), kern::lapic::NMI); // an exit, to switch at
}

bool linux_slave_babysat_ready() {
    return g_babysat != nullptr;
}

void linux_slave_wake() {
    __atomic_fetch_add(&g_rx_posts, 1, __ATOMIC_SEQ_CST); // the byte, before its interrupt
    if (g_babysat)
        return; // the caller's next run of the slave sends the interrupt (linux_slave_babysit)
    int32_t v = __atomic_load_n(&g_uart_vector, __ATOMIC_ACQUIRE);
    int64_t apic = g_slave_apic;
    // One WRMSR (x2APIC ICR, SDM Vol 3A 11.12.9), never a wait: the interrupt goes straight to
    // the slave's IDT (its CPU runs with interrupts passed through). Only a fixed interrupt, only
    // to the slave's CPU, whatever Linux wrote into the redirection entry.
    if (v >= 0 && apic >= 0)
        kern::lapic::send_ipi(uint32_t(apic), kern::lapic::FIXED | uint32_t(v));
}

bool linux_slave_exits(uint64_t& exits) {
    const volatile uint64_t* p = g_exit_count;
    if (!p) return false;
    exits = *p;
    return true;
}

unsigned linux_slave_cpu() {
    Babysat* b = g_babysat;
    return b ? b->cpu : ~0u;
}

namespace {
void count_exit(SlaveResult& res, uint16_t reason) {
    if (reason < EXIT_REASON_COUNT) ++res.out.exits[reason];
    ++res.out.total_exits;
}
} // namespace

BabysitResult linux_slave_babysit(uint64_t budget) {
    uint64_t flags = cpu::read_rflags();
    cpu::cli(); // before looking: the parked thread (on this CPU) tears down only with IF clear
    Babysat* b = g_babysat;
    if (!b || b->died || kern::this_cpu().index != b->cpu) {
        if (flags & (1u << 9)) cpu::sti();
        return {BabysitEnd::unavailable, 0};
    }
    BabysitResult out{BabysitEnd::preempted, 0};
    Vmcs<RealVmcs>& vm = *b->vmcs;
    SlaveResult& res = *b->res;
    // The caller may have preempted a thread of this CPU that runs another guest with interrupts
    // on between its exits (run_guest's exit handling): its VMCS must be current again after us.
    uint64_t previous_vmcs = vmx::vmptrst();
    vmx::vmptrld(b->vmcs_phys);
    uint64_t start = cpu::rdtsc();
    b->tsc_offset -= int64_t(start - b->parked_at); // the parked time never happened, for the slave
    vm.write(TSC_OFFSET, uint64_t(b->tsc_offset));
    for (;;) {
        uint64_t now = cpu::rdtsc();
        if (now - start >= budget) {
            out.end = BabysitEnd::budget;
            break;
        }
        // The virtual LAPIC's interrupts (SDM Vol 3C 27.6 event injection; 26.7.5 the
        // interrupt window when the guest cannot take one now), in the slave's own time.
        b->vlapic->tick(now + uint64_t(b->tsc_offset));
        slave_exits::uart_line_changed(*b->sctx); // a wake-up posted while it was parked
        uint32_t proc = uint32_t(vm.read(CPU_BASED_VM_EXEC_CONTROL)) & ~(1u << 2);
        if (int v = b->vlapic->pending(); v >= 0) {
            bool can =
                (vm.read(GUEST_RFLAGS) & (1u << 9)) && !(vm.read(GUEST_INTERRUPTIBILITY_INFO) & 3);
            if (can) {
                vm.write(VM_ENTRY_INTR_INFO_FIELD, (1u << 31) | uint32_t(v)); // external interrupt
                b->vlapic->accept(uint8_t(v));
                vm.write(GUEST_ACTIVITY_STATE, 0u);
            } else {
                proc |= 1u << 2; // interrupt-window exiting
            }
        }
        vm.write(CPU_BASED_VM_EXEC_CONTROL, proc);
        uint64_t ticks = (budget - (now - start)) >> b->rate_shift;
        vm.write(VMX_PREEMPTION_TIMER_VALUE, uint32_t(ticks > 0xFFFFFFFF ? 0xFFFFFFFF : ticks));
        vm.write(HOST_CR3, cpu::read_cr3()); // the caller's address space, not the slave thread's
        uint64_t* guest_msrs = &b->star;
        uint64_t master_msrs[5];
        for (int i = 0; i < 5; ++i) {
            master_msrs[i] = cpu::rdmsr(SWAPPED_MSRS[i]);
            cpu::wrmsr(SWAPPED_MSRS[i], guest_msrs[i]);
        }
        b->fpu->enter();
        int rc = vmx_enter(b->regs, 1);
        b->fpu->leave();
        for (int i = 0; i < 5; ++i) {
            guest_msrs[i] = cpu::rdmsr(SWAPPED_MSRS[i]);
            cpu::wrmsr(SWAPPED_MSRS[i], master_msrs[i]);
        }
        if (rc != int(EntryResult::vm_exit)) {
            res.out.detail = report_entry_failure(rc, true, *b->real, "slave (babysat)");
            res.out.end = GuestEnd::entry_failed;
            b->died = true;
            out.end = BabysitEnd::stopped;
            break;
        }
        ExitReasonInfo info = ExitReasonInfo::decode(vm.read(VM_EXIT_REASON));
        uint16_t reason = info.basic;
        if (!info.vm_entry_failure &&
            reason == uint16_t(ExitReason::EXIT_REASON_EXTERNAL_INTERRUPT)) {
            count_exit(res, reason);
            out.end = BabysitEnd::preempted; // the master's interrupt: it is taken once IF is back
            break;
        }
        if (!info.vm_entry_failure &&
            reason == uint16_t(ExitReason::EXIT_REASON_PREEMPTION_TIMER)) {
            count_exit(res, reason);
            out.end = BabysitEnd::budget;
            break;
        }
        if (!info.vm_entry_failure &&
            reason == uint16_t(ExitReason::EXIT_REASON_INTERRUPT_WINDOW)) {
            count_exit(res, reason);
            continue; // the guest can take its interrupt now
        }
        if (!info.vm_entry_failure && reason == uint16_t(ExitReason::EXIT_REASON_HLT) &&
            (vm.read(GUEST_RFLAGS) & (1u << 9))) {
            // Idle until its next timer: the caller sleeps meanwhile, the guest does not hold the
            // CPU.
            count_exit(res, reason);
            ++res.stats.idle_hlts;
            vm.write(GUEST_RIP, vm.read(GUEST_RIP) + vm.read(VM_EXIT_INSTRUCTION_LEN));
            vm.write(GUEST_INTERRUPTIBILITY_INFO,
                     uint32_t(vm.read(GUEST_INTERRUPTIBILITY_INFO)) & ~3u);
            out.end = BabysitEnd::idle;
            // Its next timer, in host time: it becomes due after that much more running (the
            // slave's clock stands still while it is parked), so the caller can sleep that long.
            uint64_t guest_now = cpu::rdtsc() + uint64_t(b->tsc_offset);
            uint64_t dl = b->vlapic->deadline();
            out.idle_until = dl ? cpu::rdtsc() + (dl > guest_now ? dl - guest_now : 0) : 0;
            break;
        }
        bool doorbell = !info.vm_entry_failure &&
                        reason == uint16_t(ExitReason::EXIT_REASON_VMCALL) &&
                        b->regs->rax == HC_DOORBELL;
        if (handle_slave_exit(vm, *b->regs, *b->sctx)) {
            b->died = true; // halted, panicked, triple fault: the parked thread reports it
            out.end = BabysitEnd::stopped;
            break;
        }
        if (doorbell) {
            out.end = BabysitEnd::responded;
            break;
        }
    }
    b->parked_at = cpu::rdtsc();
    if (previous_vmcs != ~0ull && previous_vmcs != b->vmcs_phys) vmx::vmptrld(previous_vmcs);
    if (flags & (1u << 9)) cpu::sti();
    return out;
}

bool linux_slave_request_stop() {
    int64_t apic = g_slave_apic;
    if (apic < 0) return false;
    g_stop = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    kern::lapic::send_ipi(uint32_t(apic), kern::lapic::NMI);
    return true;
}

kern::Result<void> run_linux_slave(const SlaveImages& img, const SlaveOptions& opt,
                                   SlaveResult& res) {
    res = SlaveResult{};
    if (!vmx_enabled()) TRY_VOID(vmx_enable_cpu());
    if (!kern::lapic::x2apic())
        return Error{Errc::unsupported,
                     "the Linux slave needs x2APIC (Linux's Jailhouse guest mode requires it)"};
    auto bz = parse_bzimage(img.kernel, img.kernel_size); // lab 7
    if (!bz.ok()) {
        kern::kprintf("slave: the kernel image (%lu bytes) cannot be booted: %s\n", img.kernel_size,
                      bz.error().what);
        return bz.error();
    }
    size_t cmdlen = strlen(opt.cmdline);
    auto planned =
        plan_slave_memory(opt.ram_bytes, bz.value(), img.initrd_size, cmdlen, opt.channel_bytes);
    if (!planned.ok()) {
        kern::kprintf("slave: %s (RAM %lu MiB, kernel init_size %lu KiB at %#lx, initrd %lu KiB)\n",
                      planned.error().what, opt.ram_bytes >> 20,
                      uint64_t(bz.value().init_size) >> 10, bz.value().pref_address,
                      img.initrd_size >> 10);
        return planned.error();
    }
    const SlavePlan& plan = planned.value();

    SlaveResources r;
    auto ram_r = kern::frame_alloc_contiguous(opt.ram_bytes / kern::PAGE_SIZE, 2 << 20);
    if (!ram_r.ok()) {
        kern::kprintf("slave: no %lu MiB of contiguous free memory for its RAM\n",
                      opt.ram_bytes >> 20);
        return ram_r.error();
    }
    r.ram = ram_r.value();
    r.ram_frames = opt.ram_bytes / kern::PAGE_SIZE;
    auto* ram = reinterpret_cast<uint8_t*>(r.ram);
    memset(ram, 0, opt.ram_bytes); // nothing of the master's earlier use of these frames leaks
    memcpy(ram + plan.kernel_gpa, bz.value().kernel, bz.value().kernel_size);
    if (img.initrd_size) memcpy(ram + plan.initrd_gpa, img.initrd, img.initrd_size);
    write_identity_map_1g(ram + SlaveFixed::PML4);
    uint16_t gdt_limit = write_boot_gdt(ram + SlaveFixed::GDT);
    memcpy(ram + SlaveFixed::CMDLINE, opt.cmdline, cmdlen + 1);
    JailhouseInfo j;
    j.pm_timer_port = kern::g_fadt.pm_timer_port;
    j.tsc_khz = uint32_t(kern::g_clock.tsc_hz / 1000);
    j.apic_khz = uint32_t(kern::g_clock.lapic_timer_hz / 1000);
    j.num_cpus = 1;
    j.cpu_ids[0] = uint8_t(kern::this_cpu().apic_id);
    j.uart_mask = 1;          // COM1 only: the emulated console
    j.standard_ioapic = true; // for the UART's IRQ 4, which wakes vlibosd (ioapic.h)
    write_jailhouse_setup_data(ram + SlaveFixed::SETUP_DATA, j);
    BootParamsSpec spec;
    spec.cmdline_gpa = SlaveFixed::CMDLINE;
    spec.initrd_gpa = plan.initrd_gpa;
    spec.initrd_size = plan.initrd_size;
    spec.setup_data_gpa = SlaveFixed::SETUP_DATA;
    spec.e820 = plan.e820;
    spec.e820_count = plan.e820_count;
    TRY_VOID(write_boot_params(ram + SlaveFixed::ZERO_PAGE, bz.value(), img.kernel, spec)); // lab 7

    r.ept = TRY(Ept::create(kern::kernel_frame_source(), kern::kernel_phys_access()));
    r.have_ept = true;
    TRY_VOID(r.ept.map(0, r.ram, opt.ram_bytes, EPT_READ | EPT_WRITE | EPT_EXECUTE,
                       EptMemoryType::write_back));
    if (opt.channel_bytes) // shared with the master: data, never code
        TRY_VOID(r.ept.map(plan.channel_gpa, opt.channel_hpa, opt.channel_bytes,
                           EPT_READ | EPT_WRITE, EptMemoryType::write_back));
    r.sink = TRY(EptSink::create(kern::kernel_frame_source(), kern::kernel_phys_access()));
    r.have_sink = true;
    for (uint64_t& b : r.bitmaps)
        b = TRY(kern::frame_alloc());
    fill_bitmaps(r);

    GuestControlRequest req;
    req.use_ept = true;
    req.eptp = r.ept.eptp(false);
    req.long_mode = true;
    req.io_bitmap_a = r.bitmaps[0];
    req.io_bitmap_b = r.bitmaps[1];
    req.msr_bitmap = r.bitmaps[2];
    req.interrupts_to_guest = true;
    req.switch_pat = true;
    VmxCaps caps = caps_of(vmx_msrs());
    VmxState s{};
    capture_host_state(s.host);
    TRY_VOID(choose_controls(caps, req, s.ctl));
    long_mode_guest(s.guest, caps, SlaveFixed::PML4, plan.entry_gpa, SlaveFixed::STACK_TOP);
    s.guest.gdtr_base = SlaveFixed::GDT;
    s.guest.gdtr_limit = gdt_limit;
    own_fixed_cr_bits(s.ctl, s.guest, caps);
    RealVmcs real;
    Vmcs<RealVmcs> vmcs(real);
    r.vmcs = TRY(load_new_vmcs(s, caps, real, "slave"));

    GuestConfig cfg;
    cfg.name = "linux";
    cfg.ram_bytes = opt.ram_bytes;
    cfg.use_ept = true;
    KernelExitEnv env;
    GuestFpu fpu; // the slave's x87/SSE/AVX registers (guest_fpu.h)
    TRY_VOID(fpu.init());
    env.fpu = &fpu;
    GuestContext gctx{
        cfg, res.out,
        ram, 0,
        env, CrFixedBits{caps.cr0_fixed0, caps.cr0_fixed1, caps.cr4_fixed0, caps.cr4_fixed1}};
    KernelSlaveEnv senv;
    senv.ept = &r.ept;
    senv.sink = &r.sink;
    senv.res = &res;
    senv.on_doorbell = opt.on_doorbell;
    Uart16550 uart(KernelSlaveEnv::uart_sink, &senv);
    uint32_t own[1] = {kern::this_cpu().apic_id};
    SlaveExitContext sctx{gctx, senv, uart, res.stats, own, 1, &g_stop};
    IoApic ioapic;
    sctx.ioapic = &ioapic;
    sctx.rx_edges_posted = true; // dedicated mode: linux_slave_wake() sends the receive interrupt
    uart.attach_rx(&g_rx_posts);
    sctx.cpuid.offer_xsavec = opt.cpuid_offer_xsavec;
    GuestRegs regs{};
    regs.rsi = SlaveFixed::ZERO_PAGE; // boot.rst: RSI = the zero page (GPRs are not in the VMCS)

    // From here the CPU is the slave's: interrupts stay off in root mode (VM exits keep IF
    // clear), so each one waits for the slave's next VM entry and goes to the slave.
    HostCpuState host;
    cpu::cli();
    save_host_cpu(host);
    kern::this_cpu().lapic_lent = true;
    cpu::wrmsr(MSR_TSC_DEADLINE, 0);
    cpu::wrmsr(x2apic_msr(0x320), LVT_MASKED);
    g_stop = false;
    g_slave_apic = kern::this_cpu().apic_id;
    g_exit_count = &res.out.total_exits;
    bool launched = false, babysat = false;
    VirtualLapic vlapic;
    g_babysat_requested = false;
    res.launch_tsc = cpu::rdtsc();
    for (;;) {
        if (g_stop) {
            res.out.end = GuestEnd::exited;
            break;
        }
        // Alone on this CPU, the slave stays the owner of its registers: this only loads its
        // XCR0 (exits are handled with it loaded; the master's code has no extended state).
        fpu.enter();
        int rc = vmx_enter(&regs, launched ? 1 : 0);
        if (rc != int(EntryResult::vm_exit)) {
            res.out.end = GuestEnd::entry_failed;
            res.out.detail = report_entry_failure(rc, launched, real, "slave");
            break;
        }
        launched = true;
        bool stopping = handle_slave_exit(vmcs, regs, sctx);
        __atomic_store_n(&g_uart_vector, int32_t(ioapic.vector(UART_IOAPIC_PIN)), __ATOMIC_RELEASE);
        if (stopping) {
            if (res.out.end == GuestEnd::triple_fault || res.out.end == GuestEnd::unhandled_exit ||
                res.out.end == GuestEnd::ept_violation)
                dump_guest_state(vmcs, regs, "slave");
            break;
        }
        if (g_babysat_requested && !g_stop && switch_to_babysat(vmcs, r, vlapic, sctx)) {
            sctx.rx_edges_posted = false; // from now on the caller's run loop sends them
            sctx.uart_line = false;
            babysat = true;
            break;
        }
    }
    if (babysat) {
        // Babysat mode: give the CPU back to the master and park here; callers on this CPU
        // run the slave inside their own budgets (linux_slave_babysit) until the master stops it.
        // Its FPU registers stay live but are saved as soon as another guest enters on this
        // CPU (guest_fpu.h); the master gets its own XCR0 back.
        fpu.leave();
        Babysat b{&vmcs,
                  &real,
                  r.vmcs,
                  &regs,
                  &sctx,
                  &res,
                  &vlapic,
                  &fpu,
                  kern::this_cpu().index,
                  unsigned(vmx_msrs().misc & 0x1F),
                  false,
                  cpu::rdmsr(SWAPPED_MSRS[0]),
                  cpu::rdmsr(SWAPPED_MSRS[1]),
                  cpu::rdmsr(SWAPPED_MSRS[2]),
                  cpu::rdmsr(SWAPPED_MSRS[3]),
                  cpu::rdmsr(SWAPPED_MSRS[4]),
                  0,
                  cpu::rdtsc()};
        vmcs.write(CPU_BASED_VM_EXEC_CONTROL, uint32_t(vmcs.read(CPU_BASED_VM_EXEC_CONTROL)) |
                                                  (1u << 3)); // use TSC offsetting
        restore_host_cpu(host);
        kern::sched_timer_lost();
        kern::kprintf("slave: babysat mode: CPU %u is the master's again; Linux runs only inside "
                      "its callers' budgets\n",
                      b.cpu);
        g_babysat = &b;
        cpu::sti();
        while (!g_stop && !b.died)
            kern::sleep_until(cpu::rdtsc() + kern::g_clock.tsc_hz / 100);
        cpu::cli();
        g_babysat = nullptr;
        g_exit_count = nullptr;
        g_uart_vector = -1;
        if (!b.died) res.out.end = GuestEnd::exited;
        res.end_tsc = cpu::rdtsc();
        g_slave_apic = -1;
        res.out.guest_rip = vmcs.read(GUEST_RIP);
        res.out.fpu_saves = fpu.saves();
        res.out.fpu_restores = fpu.restores();
        cpu::sti();
        uart.flush();
        return {};
    }
    res.end_tsc = cpu::rdtsc();
    g_slave_apic = -1;
    g_exit_count = nullptr;
    g_uart_vector = -1;
    res.out.guest_rip = vmcs.read(GUEST_RIP);
    res.out.fpu_saves = fpu.saves();
    res.out.fpu_restores = fpu.restores();
    fpu.leave();
    restore_host_cpu(host);
    kern::sched_timer_lost();
    cpu::sti(); // vectors the slave left pending arrive now and are counted (percpu.h lapic_lent)
    uart.flush();
    return {};
}

} // namespace hv
