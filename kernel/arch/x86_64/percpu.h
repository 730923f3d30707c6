// Per-CPU data. Each CPU's GS base points at its own PerCpu (SDM Vol 3A 3.4.4: IA32_GS_BASE), so
// this_cpu() is one memory read. CPU index 0 is the bootstrap processor (BSP).
#pragma once

#include "arch/x86_64/descriptors.h"

#include <stdint.h>

namespace kern {

/// Most CPUs the kernel will start; more in the MADT are reported and left halted.
inline constexpr unsigned MAX_CPUS = 16;

/// Everything that exists once per CPU.
struct PerCpu {
    PerCpu* self;           ///< this structure's own address (read through GS)
    uint64_t kernel_rsp;    ///< top of the running thread's kernel stack (syscall entry)
    uint64_t user_rsp;      ///< scratch: user RSP during syscall entry
    uint32_t index;         ///< 0 = BSP, then in start-up order
    uint32_t apic_id;       ///< local APIC (or x2APIC) id
    volatile bool online;   ///< set by the CPU itself once it runs kernel code
    uint64_t tsc_at_online; ///< TSC when it came online
    x86::SegmentDescriptor gdt[x86::GDT_ENTRIES]; ///< this CPU's GDT (its TSS descriptor differs)
    x86::Tss tss;                                 ///< this CPU's TSS: IST stacks, later RSP0
    /// This CPU's local APIC was lent to a guest (the Linux slave programs it directly): vectors
    /// the guest left pending arrive in the master without a handler, and are acknowledged and
    /// counted instead of being fatal. NMIs with no handler are counted too (the master sends
    /// NMIs only to stop a guest; one that lands in root mode has nothing left to do).
    volatile bool lapic_lent = false;
    uint64_t stray_vectors = 0; ///< such vectors and NMIs acknowledged
};

// syscall_entry.S reads these through GS.
static_assert(__builtin_offsetof(PerCpu, kernel_rsp) == 8);
static_assert(__builtin_offsetof(PerCpu, user_rsp) == 16);

/// The PerCpu of each possible CPU, indexed by CPU index.
extern PerCpu g_percpu[MAX_CPUS];
/// How many CPUs are online. Grows only while smp_start_aps() runs: each AP adds itself with an
/// atomic increment before it publishes PerCpu::online. Read it with cpus_online().
extern unsigned g_cpus_online;

/// How many CPUs are online (an acquire load of g_cpus_online).
inline unsigned cpus_online() {
    return __atomic_load_n(&g_cpus_online, __ATOMIC_ACQUIRE);
}

/// The calling CPU's PerCpu. Valid after gdt_init_cpu() on that CPU.
inline PerCpu& this_cpu() {
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return *p;
}

} // namespace kern
