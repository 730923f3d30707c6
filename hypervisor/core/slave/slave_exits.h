// VM-exit handling for the Linux slave. The slave runs on a dedicated CPU with its interrupts,
// local APIC and timer passed through (slave_run.cc), so exits are rare: CPUID, the console
// UART, a few MSRs, the ICR filter, idle HLT, and whatever an attack tries. Pure over the
// VmcsAccess concept, like exit_dispatch.h whose shared pieces it uses; host tests replay exits
// on a FakeVmcs (tests/slave_exits_test.cc).
#pragma once

#include "core/atomic.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/mmio_insn.h"
#include "hypervisor/core/slave/icr_filter.h"
#include "hypervisor/core/slave/ioapic.h"
#include "hypervisor/core/slave/slave_policy.h"
#include "hypervisor/core/slave/smp_ipi.h"
#include "hypervisor/core/slave/uart16550.h"
#include "hypervisor/core/slave/vlapic.h"

namespace hv {

/// What the slave's exit handlers need from the machine, beyond ExitEnv.
struct SlaveEnv {
    /// Perform an ICR write the filter allowed (on the slave's own CPU).
    virtual void write_icr(uint64_t icr) = 0;
    /// Map the hole at @p gpa to the junk page (EptSink::absorb + INVEPT); false if it is not a
    /// hole (then the guest must stop).
    virtual bool absorb_stray_access(uint64_t gpa) = 0;
    /// The slave CPU's real IA32_APIC_BASE.
    virtual uint64_t apic_base() = 0;
    /// A line of the slave's console output.
    virtual void console_line(const char* line, size_t n) = 0;
    /// The slave rang the delegation doorbell (HC_DOORBELL): tell whoever waits on the channel.
    virtual void doorbell() = 0;
    /// An INIT or SIPI to another of its CPUs (smp_ipi.h): reset or start vCPU @p target.
    virtual void startup_ipi(const StartupIpi& ipi) = 0;
    /// Dedicated mode: an interrupt waits in its (real, lent) local APIC's IRR, sent while the
    /// CPU handled an exit with interrupts off: an IPI from another of its CPUs, a wake-up.
    virtual bool interrupt_pending() = 0;

  protected:
    ~SlaveEnv() = default;
};

/// Counters beyond GuestOutcome's per-reason exits.
struct SlaveStats {
    uint64_t console_exits = 0;   ///< I/O exits at the console UART
    uint64_t other_io_exits = 0;  ///< I/O exits elsewhere (denied: PCI probing, attacks)
    uint64_t msr_emulated = 0;    ///< intercepted RDMSR/WRMSR answered
    uint64_t msr_gp = 0;          ///< RDMSR/WRMSR answered with `#GP`
    uint64_t logged_msrs = 0;     ///< of those, reported on the console
    uint64_t icr_allowed = 0;     ///< ICR writes performed
    uint64_t icr_denied = 0;      ///< ICR writes dropped by the filter
    uint64_t last_icr_denied = 0; ///< the last dropped ICR value
    uint64_t stray_accesses = 0;  ///< EPT violations absorbed by the sink
    uint64_t first_stray_gpa = 0; ///< the first such guest-physical address
    uint64_t idle_hlts = 0;       ///< HLT with interrupts on: the CPU idles in the guest
    uint64_t hypercalls = 0;      ///< VMCALLs other than the doorbell (answered -HCE_NOSYS)
    uint64_t doorbells = 0;       ///< HC_DOORBELL VMCALLs
    uint64_t ioapic_exits = 0;    ///< emulated accesses to the I/O APIC's registers
    uint64_t uart_irqs = 0;       ///< UART interrupts raised by the guest's own UART accesses
    uint64_t startup_ipis = 0;    ///< INITs and SIPIs to its own CPUs, emulated
    uint64_t hlts_not_idle = 0;   ///< HLTs skipped: an interrupt was already pending
};

/// Everything the handlers touch.
struct SlaveExitContext {
    GuestContext& guest;                      ///< shared context (config, outcome, host services)
    SlaveEnv& slave;                          ///< slave-only host services
    Uart16550& uart;                          ///< the console
    SlaveStats& stats;                        ///< counters
    const uint32_t* own_apic_ids;             ///< the slave's CPUs, for the ICR filter
    size_t own_count;                         ///< entries of own_apic_ids
    const kern::Atomic<bool>* stop_requested; ///< set by the master before it sends the NMI
    /// Babysat mode: the slave's local APIC is this model (every x2APIC MSR and TSC_DEADLINE
    /// exits); nullptr in dedicated mode, where the real one is the slave's.
    VirtualLapic* vlapic = nullptr;
    /// The emulated I/O APIC (its page exits on every access), or nullptr: then its page is a
    /// hole like any other.
    IoApic* ioapic = nullptr;
    /// The UART's interrupt output after the last exit that touched it (the I/O APIC pin is
    /// edge-triggered: an interrupt is sent when it rises).
    bool uart_line = false;
    /// True in dedicated mode: the master, on another CPU, sends the receive interrupt itself
    /// when it posts a byte (hv::linux_slave_wake), so a rise caused by the receiver alone is
    /// not sent a second time from here. False in babysat mode, where the run loop sends it.
    bool rx_edges_posted = false;
    SlaveCpuidOptions cpuid{}; ///< debug switches of the CPUID policy
    size_t self = 0;           ///< which of own_apic_ids is the exiting vCPU's CPU
};

/// The I/O APIC pin of the console UART's IRQ (COM1: IRQ 4, routed 1:1 by Linux's Jailhouse
/// guest code).
inline constexpr unsigned UART_IOAPIC_PIN = 4;

/// The most CPUs a slave's exit context lists (own_apic_ids).
inline constexpr size_t MAX_OWN_CPUS = 8;

/// Messages about attempts are printed for the first few of each kind, then only counted.
inline constexpr uint64_t SLAVE_LOG_LIMIT = 5;

namespace slave_exits {

/// Guest RFLAGS.IF (bit 9).
template <VmcsAccess A> bool guest_if(Vmcs<A>& v) {
    return (v.read(GUEST_RFLAGS) >> 9) & 1;
}

/// An RDMSR or WRMSR that raises `#GP`: inject it (RIP stays on the instruction).
template <VmcsAccess A> void msr_gp(Vmcs<A>& v, SlaveExitContext& c) {
    exits::inject_gp(v);
    ++c.stats.msr_gp;
    ++c.guest.out.injected_gp;
}

/// Send @p vector to the slave's own CPU: a fixed IPI to itself through the real ICR in dedicated
/// mode (pending until the next VM entry, where the guest takes it through its IDT), the virtual
/// LAPIC in babysat mode.
inline void raise_own(SlaveExitContext& c, uint8_t vector) {
    if (c.vlapic)
        c.vlapic->deliver(vector);
    else
        c.slave.write_icr(uint64_t(c.own_apic_ids[0]) << 32 |
                          vector); // SDM Vol 3A 11.12.9: fixed, physical
}

/// After a guest access to the UART: if its interrupt line rose, deliver its I/O APIC pin.
inline void uart_line_changed(SlaveExitContext& c) {
    bool line = c.rx_edges_posted ? c.uart.thre_line() : c.uart.irq_line();
    if (line && !c.uart_line && c.ioapic) {
        if (int v = c.ioapic->vector(UART_IOAPIC_PIN); v >= 0) {
            raise_own(c, uint8_t(v));
            ++c.stats.uart_irqs;
        }
    }
    c.uart_line = line;
}

/// The guest's general-purpose register number @p n (x86 encoding: 0 RAX, 1 RCX, 2 RDX, 3 RBX,
/// 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15; SDM Vol 2A Table 2-1); nullptr for RSP, which lives
/// in the VMCS and which no MMIO access of Linux's uses.
inline uint64_t* gpr(GuestRegs& r, unsigned n) {
    uint64_t* const map[16] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, nullptr, &r.rbp, &r.rsi, &r.rdi,
                               &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12,  &r.r13, &r.r14, &r.r15};
    return map[n & 15];
}

/// Emulate the guest's access to the I/O APIC page at @p gpa: decode the MOV at its RIP, perform
/// it on the model, step over it. False if the instruction cannot be fetched or is not a 32-bit
/// MOV of the access's direction (the caller raises #GP).
template <VmcsAccess A>
bool emulate_ioapic(Vmcs<A>& v, GuestRegs& r, SlaveExitContext& c, uint64_t gpa, bool write) {
    auto read_phys = [](void* ctx, uint64_t a, uint64_t& value) {
        const uint8_t* p = guest_bytes(*static_cast<GuestContext*>(ctx), a, 8);
        if (!p) return false;
        __builtin_memcpy(&value, p, 8);
        return true;
    };
    uint8_t code[15];
    uint64_t rip = v.read(GUEST_RIP), cr3 = v.read(GUEST_CR3), page = ~0ull, base = 0;
    size_t n = 0;
    for (; n < sizeof code; ++n) { // one walk per page: the bytes may cross into the next one
        uint64_t la = rip + n;
        if ((la >> 12) != page) {
            if (!guest_linear_to_physical(cr3, la & ~0xFFFull, read_phys, &c.guest, base)) break;
            page = la >> 12;
        }
        const uint8_t* b = guest_bytes(c.guest, base + (la & 0xFFF), 1);
        if (!b) break;
        code[n] = *b;
    }
    MmioInsn insn;
    if (!decode_mmio_mov(code, n, insn) || insn.write != write ||
        (!insn.immediate && !gpr(r, insn.reg)))
        return false;
    uint64_t offset = gpa & 0xFFF;
    if (write) {
        c.ioapic->write(offset, insn.immediate ? insn.imm : uint32_t(*gpr(r, insn.reg)));
    } else {
        *gpr(r, insn.reg) =
            c.ioapic->read(offset); // a 32-bit destination is zero-extended (Vol 1 3.4.1.1)
    }
    v.write(GUEST_RIP, rip + insn.length);
    return true;
}

} // namespace slave_exits

/// Handle one exit of the slave. Returns true if it must stop (c.guest.out.end says why).
template <VmcsAccess A> bool handle_slave_exit(Vmcs<A>& v, GuestRegs& r, SlaveExitContext& c) {
    using namespace exits;
    using namespace slave_exits;
    GuestContext& g = c.guest;
    ExitReasonInfo info = ExitReasonInfo::decode(v.read(VM_EXIT_REASON));
    uint16_t reason = info.basic;
    char line[160];
    if (info.vm_entry_failure || reason >= EXIT_REASON_COUNT)
        return handle_exit(v, r, g); // reported and stopped there
    switch (ExitReason(reason)) {
    case ExitReason::EXIT_REASON_EXCEPTION_NMI:
        ++g.out.exits[reason];
        ++g.out.total_exits;
        ++g.out.nmis;
        if (c.stop_requested->load(kern::MemoryOrder::acquire))
            return stop(g, GuestEnd::exited, 0); // the master asked (slave restart, shutdown)
        return false;
    case ExitReason::EXIT_REASON_CPUID: {
        ++g.out.exits[reason];
        ++g.out.total_exits;
        uint32_t leaf = uint32_t(r.rax), sub = uint32_t(r.rcx);
        CpuidRegs s =
            slave_cpuid(leaf, sub, g.env.host_cpuid(leaf, sub), g.out.guest_xcr0, c.cpuid);
        if (leaf == 1) // OSXSAVE mirrors the guest's CR4 (SDM Vol 2A CPUID, ECX bit 27)
            s.ecx = osxsave_of_guest(v, s.ecx);
        r.rax = s.eax, r.rbx = s.ebx, r.rcx = s.ecx, r.rdx = s.edx;
        skip_instruction(v);
        return false;
    }
    case ExitReason::EXIT_REASON_VMCALL:
        ++g.out.exits[reason];
        ++g.out.total_exits;
        if (r.rax == HC_DOORBELL) {
            // From any CPL: vlibosd runs in Linux userspace. It carries nothing and only makes
            // the master look at the channel, so a slave ringing it in a loop wastes its own
            // CPU and some of the master's wake-ups, nothing more.
            ++c.stats.doorbells;
            c.slave.doorbell();
            r.rax = 0;
        } else {
            ++c.stats.hypercalls;
            r.rax = uint64_t(-int64_t(HCE_NOSYS)); // the slave has no other hypercall
        }
        skip_instruction(v);
        return false;
    case ExitReason::EXIT_REASON_HLT:
        ++g.out.exits[reason];
        ++g.out.total_exits;
        if (!guest_if(v)) // halted with interrupts off: poweroff, reboot or panic
            return stop(g, GuestEnd::halted, 0);
        // Idle: let the CPU halt in the guest (activity state HLT, SDM Vol 3C 25.4.2) until its
        // next interrupt. The HLT was in an STI shadow (Linux idles with "sti; hlt"); the shadow
        // ends with the instruction, and VM entry refuses HLT with STI blocking (27.3.1.5).
        skip_instruction(v);
        v.write(GUEST_INTERRUPTIBILITY_INFO, v.read(GUEST_INTERRUPTIBILITY_INFO) & ~3u);
        // An interrupt that arrived during this exit is pending already: the guest takes it at
        // the entry if it stays active, without a round trip through the HLT state (whose
        // wake-up by an interrupt pending before the entry this kit does not rely on).
        if (!c.vlapic && c.slave.interrupt_pending()) {
            ++c.stats.hlts_not_idle;
            return false;
        }
        v.write(GUEST_ACTIVITY_STATE, 1u);
        ++c.stats.idle_hlts;
        return false;
    case ExitReason::EXIT_REASON_IO_INSTRUCTION: {
        IoExitInfo io = IoExitInfo::decode(v.read(EXIT_QUALIFICATION));
        if (!io.string && io.size == 1 && io.port >= Uart16550::COM1 &&
            io.port < Uart16550::COM1 + 8) {
            ++g.out.exits[reason];
            ++g.out.total_exits;
            ++c.stats.console_exits;
            if (io.input)
                r.rax = (r.rax & ~0xFFull) | c.uart.read(io.port - Uart16550::COM1);
            else
                c.uart.write(io.port - Uart16550::COM1, uint8_t(r.rax));
            uart_line_changed(c);
            skip_instruction(v);
            return false;
        }
        ++c.stats.other_io_exits;
        return handle_exit(v, r, g); // denied: reads see all ones, writes are dropped
    }
    case ExitReason::EXIT_REASON_MSR_READ: {
        ++g.out.exits[reason];
        ++g.out.total_exits;
        uint32_t msr = uint32_t(r.rcx);
        if (c.vlapic && VirtualLapic::handles(msr)) {
            uint64_t value = 0;
            if (!c.vlapic->read(msr, value)) {
                msr_gp(v, c);
                return false;
            }
            ++c.stats.msr_emulated;
            r.rax = value & 0xFFFFFFFF;
            r.rdx = value >> 32;
            skip_instruction(v);
            return false;
        }
        SlaveMsrRead m = slave_msr_read(msr, c.slave.apic_base());
        if (m.gp) {
            if (c.stats.logged_msrs < SLAVE_LOG_LIMIT && !slave_msr_probe_is_routine(msr)) {
                ++c.stats.logged_msrs;
                kern::snformat(line, sizeof line, "slave: RDMSR %#x refused (#GP)", msr);
                g.env.log(line);
            }
            msr_gp(v, c);
            return false;
        }
        ++c.stats.msr_emulated;
        r.rax = m.value & 0xFFFFFFFF;
        r.rdx = m.value >> 32;
        skip_instruction(v);
        return false;
    }
    case ExitReason::EXIT_REASON_MSR_WRITE: {
        ++g.out.exits[reason];
        ++g.out.total_exits;
        uint32_t msr = uint32_t(r.rcx);
        uint64_t value = (r.rdx << 32) | (r.rax & 0xFFFFFFFF);
        if (c.vlapic && VirtualLapic::handles(msr) && msr != kern::x86::IA32_X2APIC_ICR) {
            if (!c.vlapic->write(msr, value)) {
                msr_gp(v, c);
                return false;
            }
            ++c.stats.msr_emulated;
            skip_instruction(v);
            return false;
        }
        switch (slave_msr_write(msr, value, c.slave.apic_base())) {
        case SlaveMsrWrite::ignore:
            ++c.stats.msr_emulated;
            break;
        case SlaveMsrWrite::gp:
            if (c.stats.logged_msrs < SLAVE_LOG_LIMIT) {
                ++c.stats.logged_msrs;
                kern::snformat(line, sizeof line, "slave: WRMSR %#x <- %#lx refused (#GP)", msr,
                               value);
                g.env.log(line);
            }
            msr_gp(v, c);
            return false;
        case SlaveMsrWrite::icr: {
            if (StartupIpi ipi = decode_startup_ipi(value, c.own_apic_ids, c.own_count, c.self);
                ipi.kind != StartupIpi::none) {
                ++c.stats.startup_ipis; // emulated: the real ICR never sees it
                c.slave.startup_ipi(ipi);
                break;
            }
            uint64_t each[MAX_OWN_CPUS];
            if (size_t k = c.own_count <= MAX_OWN_CPUS
                               ? expand_broadcast(value, c.own_apic_ids, c.own_count, c.self, each)
                               : 0) {
                for (size_t i = 0; i < k; ++i) // one by one, each through the filter
                    if (check_icr_write(each[i], c.own_apic_ids, c.own_count) ==
                        IcrVerdict::allow) {
                        ++c.stats.icr_allowed;
                        c.slave.write_icr(each[i]);
                    }
                break;
            }
            IcrVerdict verdict = check_icr_write(value, c.own_apic_ids, c.own_count); // lab 7
            if (verdict == IcrVerdict::allow) {
                ++c.stats.icr_allowed;
                if (c.vlapic) // the slave's only CPU is itself: an allowed IPI is a self IPI
                    c.vlapic->deliver(uint8_t(value & 0xFF));
                else
                    c.slave.write_icr(value);
                break;
            }
            if (c.stats.icr_denied < SLAVE_LOG_LIMIT) {
                kern::snformat(
                    line, sizeof line,
                    "slave: IPI denied: ICR %#lx (delivery mode %lu, destination %#lx): %s", value,
                    (value >> 8) & 7, value >> 32, icr_verdict_token(verdict));
                g.env.log(line);
            }
            ++c.stats.icr_denied;
            c.stats.last_icr_denied = value;
            break; // dropped: the write "happened", nothing was sent
        }
        }
        skip_instruction(v);
        return false;
    }
    case ExitReason::EXIT_REASON_EPT_VIOLATION: {
        uint64_t gpa = v.read(GUEST_PHYSICAL_ADDRESS);
        EptViolationInfo q = EptViolationInfo::decode(v.read(EXIT_QUALIFICATION));
        if (c.ioapic && IoApic::covers(gpa) && !q.fetch) { // never mapped: every access comes here
            ++g.out.exits[reason];
            ++g.out.total_exits;
            ++c.stats.ioapic_exits;
            if (!emulate_ioapic(v, r, c, gpa, q.write)) {
                // Not a 32-bit MOV (e.g. /dev/mem's 8-byte copy): a #GP, as for a bus error,
                // which Linux's fault-tolerant copies turn into -EFAULT; never a guess.
                if (c.stats.logged_msrs < SLAVE_LOG_LIMIT) {
                    ++c.stats.logged_msrs;
                    kern::snformat(line, sizeof line,
                                   "slave: I/O APIC access at RIP %#lx is not a 32-bit MOV: #GP",
                                   v.read(GUEST_RIP));
                    g.env.log(line);
                }
                exits::inject_gp(v);
                ++g.out.injected_gp;
            }
            return false;
        }
        if (q.fetch || !c.slave.absorb_stray_access(gpa))
            return handle_exit(v, r, g); // execution outside RAM, or a bug: stop and report
        ++g.out.exits[reason];
        ++g.out.total_exits;
        if (c.stats.stray_accesses == 0) c.stats.first_stray_gpa = gpa;
        if (c.stats.stray_accesses < SLAVE_LOG_LIMIT) {
            kern::snformat(line, sizeof line,
                           "slave: %s of guest-physical %#lx outside its RAM (RIP %#lx): "
                           "contained, sees a junk page",
                           q.write ? "write" : "read", gpa, v.read(GUEST_RIP));
            g.env.log(line);
        }
        ++c.stats.stray_accesses;
        return false; // the access is retried and now reaches the junk page
    }
    default:
        return handle_exit(v, r, g); // CR access, XSETBV, triple fault, INIT/SIPI, the rest
    }
}

} // namespace hv
