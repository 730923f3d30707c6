// The Linux slave as the hypervisor holds it while it runs: its memory, EPT and bitmaps, its
// vCPU, its devices and the context its exits are handled in. Built by build_slave_vm()
// (slave_setup.cc), run on a CPU of its own (slave_run.cc) and, in babysat mode, by its
// callers inside their budgets (slave_babysat.cc). Private to hypervisor/slave/.
#pragma once

#include "arch/x86_64/apic/lapic.h"
#include "core/atomic.h"
#include "core/result.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/slave/babysat_exits.h"
#include "hypervisor/core/slave/ept_sink.h"
#include "hypervisor/slave/linux_slave.h"
#include "hypervisor/vcpu.h"
#include "hypervisor/vm_host.h"
#include "sync/spinlock.h"

#include <stdint.h>

namespace hv {

/// The SYSCALL MSRs and the SWAPGS base: neither the VMCS nor VM entry and exit switch them
/// (SDM Vol 3C 26.3.2, 27.5.1 list what they load), so whoever shares a CPU with the slave
/// swaps them by hand.
struct SyscallMsrs {
    uint64_t star;           ///< IA32_STAR: SYSCALL's segments
    uint64_t lstar;          ///< IA32_LSTAR: SYSCALL's 64-bit entry
    uint64_t cstar;          ///< IA32_CSTAR: SYSCALL's compatibility-mode entry
    uint64_t fmask;          ///< IA32_FMASK: RFLAGS bits SYSCALL clears
    uint64_t kernel_gs_base; ///< IA32_KERNEL_GS_BASE: what SWAPGS exchanges
    /// This CPU's values.
    static SyscallMsrs read();
    /// Make them this CPU's values.
    void load() const;
};

struct SlaveVm;

/// The most CPUs one slave gets (Linux's CONFIG_NR_CPUS in slave/linux/slave.config).
inline constexpr unsigned MAX_SLAVE_CPUS = 4;

/// The machine behind the slave's exit handlers: the ICR, the EPT sink, the console, the
/// doorbell, its CPUs' start-up. Its console_line() watches for what SlaveResult reports.
struct KernelSlaveEnv final : SlaveEnv {
    SlaveVm* vm = nullptr;           ///< the slave (its CPUs, for INIT and SIPI)
    Ept* ept = nullptr;              ///< the slave's EPT
    EptSink* sink = nullptr;         ///< where its stray accesses go
    SlaveResult* res = nullptr;      ///< what the console lines tell
    void (*on_doorbell)() = nullptr; ///< the delegation doorbell's handler (may be null)

    void write_icr(uint64_t icr) override;
    bool absorb_stray_access(uint64_t gpa) override;
    uint64_t apic_base() override;
    void doorbell() override;
    void startup_ipi(const StartupIpi& ipi) override;
    bool interrupt_pending() override;
    void console_line(const char* line, size_t n) override;
    /// Babysat mode: print and watch the console lines queued while callers ran the slave (on
    /// its CPU, from the parked slave thread, interrupts on).
    void flush_console();
    /// Note in SlaveResult what @p line tells: the userspace marker, a panic, the kit's
    /// programs' verdicts (searching for some fifteen words: thousands of cycles).
    void watch_line(const char* line, size_t n);
    /// Uart16550's line sink.
    static void uart_sink(void* self, const char* line, size_t n) {
        static_cast<KernelSlaveEnv*>(self)->console_line(line, n);
    }
};

/// The slave's memory and the structures that point into it, released in one place (the sink
/// before the EPT it links into; cached translations dropped before the tables' frames go).
struct SlaveMemory {
    uint64_t ram = 0;         ///< host-physical (= host-virtual) start of its RAM
    uint64_t ram_frames = 0;  ///< 4 KiB frames of RAM
    uint64_t bitmaps[3] = {}; ///< I/O bitmaps A and B, MSR bitmap
    Ept ept;                  ///< guest-physical -> host-physical
    EptSink sink;             ///< the junk page for stray accesses
    bool have_ept = false;    ///< ept was created
    bool have_sink = false;   ///< sink was created
    SlaveMemory() = default;
    SlaveMemory(const SlaveMemory&) = delete;
    SlaveMemory& operator=(const SlaveMemory&) = delete;
    ~SlaveMemory();
};

/// Cross-CPU state of the running slave: written by the master's threads on any CPU, read by
/// the slave's CPU (or its babysitting callers). Atomics, with the ordering at each use.
struct SlaveControl {
    /// linux_slave_request_stop(): end at the next exit.
    kern::Atomic<bool> stop{false};
    /// linux_slave_request_babysat(): switch to babysat mode at a safe exit.
    kern::Atomic<bool> babysat_requested{false};
    /// The slave while parked in babysat mode, else null.
    kern::Atomic<struct SlaveVm*> parked{nullptr};
    /// The CPU whose callers may run the parked slave, ~0u if none. Set before `parked`, cleared
    /// after it: a caller checks it first, so only callers on that CPU, with interrupts off,
    /// ever look at `parked`, and the slave's thread (on the same CPU) tears down with them off.
    kern::Atomic<unsigned> parked_cpu{~0u};
    /// APIC id of the CPU running its first vCPU, -1 if none.
    kern::Atomic<int64_t> apic{-1};
    /// APIC ids of the CPUs its other vCPUs run on, -1 if none (NMIed to stop them).
    kern::Atomic<int64_t> ap_apics[MAX_SLAVE_CPUS] = {
        kern::Atomic<int64_t>{-1}, kern::Atomic<int64_t>{-1}, kern::Atomic<int64_t>{-1},
        kern::Atomic<int64_t>{-1}};
    /// linux_slave_wake(): bytes posted to its UART receiver.
    kern::Atomic<uint32_t> rx_posts{0};
    /// The vector Linux routed the UART's pin to, -1: masked.
    kern::Atomic<int32_t> uart_vector{-1};
    /// Its VM exits so far (for linux_slave_exits).
    kern::Atomic<uint64_t> exits{0};
    /// A slave runs and `exits` is its count.
    kern::Atomic<bool> exits_valid{false};
};
/// Each slave's control block (slave_run.cc), by SlaveOptions::id.
extern SlaveControl g_slave_controls[MAX_SLAVES];

/// One of the slave's vCPUs with the context its exits are handled in. The first (index 0, the
/// boot CPU) is part of the SlaveVm; the others live on the stacks of the threads that run them
/// (slave_smp.cc), from their SIPI on.
struct SlaveCpu {
    /// vCPU @p index of @p vm, counting its exits into @p out and @p stats.
    SlaveCpu(SlaveVm& vm, unsigned index, GuestOutcome& out, SlaveStats& stats);
    SlaveCpu(const SlaveCpu&) = delete;
    SlaveCpu& operator=(const SlaveCpu&) = delete;

    SlaveVm& vm;           ///< the slave
    unsigned index;        ///< 0: its boot CPU
    char name[24] = {};    ///< "slave", "slave cpu1", ...
    KernelExitEnv env;     ///< host CPUID, XCR0 for this vCPU
    Vcpu vcpu;             ///< its VMCS, registers, FPU state
    GuestContext gctx;     ///< what the shared exit handlers know
    SlaveExitContext sctx; ///< what the slave's exit handlers know
};

/// A slave being run.
struct SlaveVm {
    /// A slave reporting into @p r.
    SlaveVm(SlaveResult& r, unsigned slave_id);
    SlaveVm(const SlaveVm&) = delete;
    SlaveVm& operator=(const SlaveVm&) = delete;

    SlaveResult& res;      ///< what the master reports
    unsigned id;           ///< which slave (SlaveOptions::id)
    SlaveControl& control; ///< its cross-CPU controls
    /// Its name in messages: "slave" for the first, "slave1" for the second; its console lines
    /// are "[linux] ..." and "[linux1] ...".
    char label[8] = {};
    /// Its console lines' prefix: "[linux]", "[linux1]".
    char console_prefix[12] = {};
    /// Babysat mode: console lines wait here instead of being printed by the caller that ran
    /// the slave, whose CPU's interrupts are off then (line_queue.h). Touched only on the
    /// slave's CPU, interrupts off.
    LineQueue<32, 128> console_queue;
    ExitLog exit_log; ///< babysat mode: its exit handlers' lines (refusals), held the same way
    bool queue_console = false; ///< true while parked in babysat mode: both queues are used
    SlaveMemory mem;            ///< RAM, EPT, sink, bitmaps (destroyed last)
    GuestConfig cfg;            ///< name, RAM size, EPT: for the shared exit handlers
    KernelSlaveEnv senv;        ///< the machine behind its exit handlers
    Uart16550 uart{KernelSlaveEnv::uart_sink, &senv}; ///< its console (COM1)
    IoApic ioapic;                                    ///< routes the UART's IRQ 4
    VirtualLapic vlapic;                              ///< its local APIC in babysat mode
    unsigned ncpus = 1;                               ///< its vCPUs
    uint32_t own_apic_ids[MAX_SLAVE_CPUS] = {};       ///< their CPUs' x2APIC ids (ICR filter)
    unsigned host_cpus[MAX_SLAVE_CPUS] = {};          ///< their CPUs' indices
    /// Serialises exit handling between its vCPUs (the devices, the sink, the counters they
    /// share); taken only when it has more than one.
    kern::Spinlock lock;
    VmxCaps caps{};                  ///< the VMX capabilities its VMCSs were built for
    bool cpuid_offer_xsavec = false; ///< SlaveOptions::cpuid_offer_xsavec
    bool cpuid_offer_rdrand = false; ///< SlaveOptions::cpuid_offer_rdrand
    /// Per vCPU: the start page its SIPI gave (smp_ipi.h), -1 before one; its INIT seen.
    kern::Atomic<int32_t> sipi_page[MAX_SLAVE_CPUS] = {
        kern::Atomic<int32_t>{-1}, kern::Atomic<int32_t>{-1}, kern::Atomic<int32_t>{-1},
        kern::Atomic<int32_t>{-1}};
    kern::Atomic<bool> init_seen[MAX_SLAVE_CPUS] = {}; ///< per vCPU: an INIT came
    /// The boot CPU's vCPU: launched at the kernel's 64-bit entry.
    SlaveCpu bsp{*this, 0, res.out, res.stats};

    // Babysat mode (slave_babysat.cc), valid once parked.
    unsigned cpu = 0;               ///< the CPU whose callers run it
    unsigned timer_rate_shift = 0;  ///< IA32_VMX_MISC[4:0]: the preemption timer counts TSC >> it
    SyscallMsrs guest_msrs{};       ///< its SYSCALL MSRs between runs
    int64_t tsc_offset = 0;         ///< its TSC - the host's (its clock stops while parked)
    uint64_t parked_at = 0;         ///< host TSC when it last stopped running
    kern::Atomic<bool> died{false}; ///< it ended while a caller ran it
};

/// Load the kernel image and initrd into new guest RAM, write the boot parameters, build its EPT
/// (and the shared channel's mapping), its bitmaps and its boot CPU's VMCS (current on this
/// CPU, ready to launch at the kernel's 64-bit entry). Its vCPU i runs on CPU (this CPU - i).
/// Failures have been printed.
[[nodiscard]] kern::Result<void> build_slave_vm(SlaveVm& vm, const SlaveImages& img,
                                                const SlaveOptions& opt);

/// Fill in @p c's exit context from its slave (RAM, CR bits, devices, its CPU list and index).
void init_slave_cpu(SlaveCpu& c);

/// The I/O and MSR bitmaps: everything exits but the PM timer (read-only hardware) and the
/// MSRs of slave_policy.h. In @p babysat mode the local APIC and its TSC-deadline timer stay
/// the master's: every x2APIC MSR and IA32_TSC_DEADLINE exits then (the virtual LAPIC serves
/// them).
void fill_slave_bitmaps(SlaveMemory& mem, bool babysat);

/// Move the slave running on this CPU into babysat mode, at an exit, interrupts off (its VMCS
/// current): its local APIC's state goes into its virtual LAPIC, its bitmaps and controls change
/// so that the master keeps the CPU's interrupts and LAPIC. False, nothing changed, if the
/// moment is not safe (an interrupt in service) or the CPU has no VMX-preemption timer.
bool switch_to_babysat(SlaveVm& vm);

/// Babysat mode, on the slave's thread after switch_to_babysat(), interrupts off: give the CPU
/// back to the master (@p host_msrs, @p lapic: what the slave's launch took) and park until the
/// master stops the slave or it dies while a caller runs it; its callers run it meanwhile
/// (linux_slave_babysit). Returns with interrupts off, the slave no longer reachable.
void park_babysat(SlaveVm& vm, const SyscallMsrs& host_msrs, const kern::lapic::LentConfig& lapic);

/// Run vCPU @p c on this CPU, which the slave then owns (dedicated mode), until the master stops
/// it, a handler stops it, or (boot CPU of a one-CPU slave only) babysat mode is requested:
/// then true, and the CPU is still the slave's (park_babysat takes it from there).
bool run_dedicated(SlaveCpu& c, SyscallMsrs& host_msrs, kern::lapic::LentConfig& lapic);

/// Start the threads of the slave's other vCPUs, each on its CPU, waiting for its SIPI
/// (slave_smp.cc); false, with a message, if one cannot be started.
[[nodiscard]] kern::Result<void> start_slave_aps(SlaveVm& vm);
/// Stop them (the master's stop flag is set) and wait for their threads; their exits are added
/// to the slave's result.
void stop_slave_aps(SlaveVm& vm);

} // namespace hv
