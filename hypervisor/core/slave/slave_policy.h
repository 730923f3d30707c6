// What the Linux slave may do without the hypervisor, and what the hypervisor answers when it
// asks: the MSRs passed through (no VM exit) and the emulated ones, and the CPUID it sees.
// The aim (issue: "least emulation"): no exits in steady state. The slave's own core's local
// APIC (x2APIC MSRs), its TSC-deadline timer, and the MSRs that are per-CPU context (syscall
// entry, FS/GS bases, EFER, PAT, switched by VMX or restored when the slave stops) pass
// through; a few identification MSRs are emulated; everything else raises #GP, as on a CPU
// that lacks it. Pure: host tests pin the tables.
#pragma once

#include "core/arch/msr.h"
#include "hypervisor/core/cpuid_policy.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// MSRs the slave reads and writes directly (the MSR bitmap's clear bits).
/// x2APIC registers (IA32_X2APIC_FIRST..LAST) pass through too, but ICR writes exit for the
/// filter.
inline constexpr uint32_t SLAVE_PASSTHROUGH_MSRS[] = {
    kern::x86::IA32_TIME_STAMP_COUNTER, // reads only (writes exit and are ignored)
    kern::x86::IA32_SYSENTER_CS,        // in the VMCS guest state
    kern::x86::IA32_SYSENTER_ESP,
    kern::x86::IA32_SYSENTER_EIP,
    kern::x86::IA32_PAT,          // saved and loaded by VM exit / entry
    kern::x86::IA32_TSC_DEADLINE, // the slave's own timer
    kern::x86::IA32_EFER,         // saved and loaded by VM exit / entry
    kern::x86::IA32_STAR,
    kern::x86::IA32_LSTAR,
    kern::x86::IA32_CSTAR,
    kern::x86::IA32_FMASK,
    kern::x86::IA32_FS_BASE,        // in the VMCS guest state
    kern::x86::IA32_GS_BASE,        // in the VMCS guest state
    kern::x86::IA32_KERNEL_GS_BASE, // restored for the master when the slave stops
};

/// MSRs whose writes must still exit although reads pass through.
inline constexpr uint32_t SLAVE_WRITE_INTERCEPTED_MSRS[] = {kern::x86::IA32_TIME_STAMP_COUNTER};

/// The answer to an intercepted RDMSR.
struct SlaveMsrRead {
    bool gp;        ///< raise `#GP(0)` (the MSR "does not exist")
    uint64_t value; ///< EDX:EAX otherwise
};

/// An intercepted RDMSR of @p msr. @p apic_base is the slave core's real IA32_APIC_BASE; the
/// slave sees it with the BSP flag set (its one CPU is its boot CPU).
SlaveMsrRead slave_msr_read(uint32_t msr, uint64_t apic_base);

/// True for the MSRs Linux 6.1 probes at every boot and copes without (rdmsr_safe: a #GP only
/// means "not there"): refused like any other, but not worth a console line each.
bool slave_msr_probe_is_routine(uint32_t msr);

/// What to do with an intercepted WRMSR.
enum class SlaveMsrWrite : uint8_t {
    ignore, ///< accept and drop (the value is already what the slave has)
    gp,     ///< raise `#GP(0)`
    icr,    ///< an x2APIC ICR write: run it through check_icr_write()
};

/// An intercepted WRMSR of @p value to @p msr (@p apic_base as for slave_msr_read()).
SlaveMsrWrite slave_msr_write(uint32_t msr, uint64_t value, uint64_t apic_base);

/// XCR0 components the slave may enable: x87, SSE, AVX (SDM Vol 1 13.1).
inline constexpr uint32_t SLAVE_XCR0_MASK = 0x7;

/// "Jailhouse\0\0\0" in EBX, ECX, EDX of leaf 0x40000000: what Linux's Jailhouse guest support
/// looks for (arch/x86/kernel/jailhouse.c, jailhouse_cpuid_base()).
inline constexpr uint32_t JAILHOUSE_SIGNATURE[3] = {0x6C69614A, 0x73756F68, 0x65};

/// Debug switches of the slave's CPUID policy (kernel command line), for negative tests only.
struct SlaveCpuidOptions {
    /// `slave_cpuid_offer_xsavec`: offer XSAVEC again, although Bochs 2.7 gets it wrong (see
    /// slave_cpuid()); `make test` shows the state-integrity test failing with it.
    bool offer_xsavec = false;
    /// `slave_cpuid_offer_rdrand`: offer RDRAND and RDSEED. Off by default: Bochs answers them
    /// with the host's rand(), seeded by the wall clock, so two runs of the same test differed
    /// (a latency bound met in one run and missed in the next); without them Linux seeds its
    /// random numbers from timings, which in Bochs (clock: sync=none) are the same every run.
    bool offer_rdrand = false;
};

/// The slave's CPUID: lab 5's guest_cpuid() (no VMX or LA57, hypervisor bit) with the Jailhouse
/// signature at 0x40000000, and without what would cost exits or cannot work in the VM:
/// MONITOR/MWAIT (idle must HLT), APERF/MPERF, PCID/INVPCID, XSAVES, RDTSCP, WAITPKG, MTRRs,
/// AVX-512 (the XSAVE components beyond SLAVE_XCR0_MASK),
/// the performance-monitoring leaf, and leaves 0x15/0x16 (Bochs reports a TSC frequency its
/// TSC does not have: the slave gets the master's measured one in setup_data instead); and
/// without XSAVEC, which Bochs 2.7 implements wrongly (the comment in slave_cpuid() says how).
/// @p xcr0 is the slave's XCR0 (leaf 0xD's sizes depend on it).
CpuidRegs slave_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host, uint64_t xcr0,
                      SlaveCpuidOptions opt = {});

} // namespace hv
