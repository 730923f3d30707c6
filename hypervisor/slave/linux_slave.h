// The Linux slave (lab 7): an unmodified Linux kernel booted by the hypervisor, in VMX non-root
// operation, on a CPU the master gives it whole (slave_run.cc), or run by its callers inside
// their budgets (babysat mode, slave_babysat.cc). Built by slave_setup.cc, booted by the
// slave=linux hook (slave_boot.cc); every entry goes through the one run loop (run_loop.h).
#pragma once

#include "core/result.h"
#include "hypervisor/core/guest_outcome.h"
#include "hypervisor/core/slave/babysat_exits.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// How many slaves may run at once (slaves=N): each its own VM, its own CPUs, its own channel.
inline constexpr unsigned MAX_SLAVES = 2;

/// The files the slave boots.
struct SlaveImages {
    const uint8_t* kernel = nullptr; ///< bzImage
    size_t kernel_size = 0;          ///< its size
    const uint8_t* initrd = nullptr; ///< initramfs (cpio, optionally compressed), may be null
    size_t initrd_size = 0;          ///< its size
};

/// How to boot it.
struct SlaveOptions {
    uint64_t ram_bytes = 64ull << 20; ///< guest RAM
    const char* cmdline = "";         ///< Linux command line
    uint64_t channel_bytes = 0;       ///< shared channel after RAM (delegation), 0 = none
    uint64_t channel_hpa = 0;         ///< its host-physical address (2 MiB-aligned)
    void (*on_doorbell)() = nullptr;  ///< called on the slave's CPU when it rings (HC_DOORBELL)
    bool cpuid_offer_xsavec = false;  ///< debug: CPUID offers XSAVEC (SlaveCpuidOptions)
    bool cpuid_offer_rdrand = false;  ///< CPUID offers RDRAND and RDSEED (SlaveCpuidOptions)
    /// Which slave (0 .. MAX_SLAVES - 1): its cross-CPU controls and its name in messages.
    unsigned id = 0;
    /// Its CPUs: vCPU i runs on CPU (the calling CPU - i), which it owns while it runs; the
    /// master keeps CPU 0. More than one: Linux starts the others (INIT/SIPI, emulated).
    unsigned cpus = 1;
};

/// What happened, for the master's report.
struct SlaveResult {
    GuestOutcome out;             ///< end, exits per reason
    SlaveStats stats;             ///< console, MSRs, ICR filter, stray accesses
    uint64_t launch_tsc = 0;      ///< TSC at the first VMLAUNCH
    uint64_t marker_tsc = 0;      ///< TSC when the userspace marker line appeared, 0 = never
    uint64_t exits_at_marker = 0; ///< VM exits up to the marker (the boot's exits)
    uint64_t boot_exits[EXIT_REASON_COUNT] = {}; ///< those by basic exit reason
    uint64_t end_tsc = 0;                        ///< TSC when it stopped
    bool panicked = false;                       ///< a "Kernel panic" line was seen
    char last_line[120] = {};                    ///< the last console line (why it died, often)
    uint32_t seen = 0;                           ///< bit i: a console line contained SLAVE_WATCH[i]
    uint64_t escaped_lines = 0; ///< console lines saying "ESCAPED" (an attack got through)
    char fpu_failure[120] =
        {}; ///< the first line telling of lost FPU state (vlibos-fpucheck, Linux)
    char xsave_failure[120] = {}; ///< the first offered XSAVE feature vlibos-xsavecheck found wrong
};

/// Console lines the master watches for (SlaveResult::seen): what the kit's init and attack
/// programs print (slave/initramfs, slave/programs).
inline constexpr const char* SLAVE_WATCH[] = {
    "vlibos-slave: done",      ///< init ran its script to the end
    "attack: ipi: done",       ///< vlibos-attack ipi ran
    "attack: msr: ",           ///< vlibos-attack msr ran
    "attack: devmem: ",        ///< vlibos-attack devmem ran
    "vlibos-busy: ",           ///< the busy workload finished
    "xsavecheck: result=pass", ///< every XSAVE feature CPUID offers is right (vlibos-xsavecheck)
    "fpucheck: result=pass",   ///< every process kept its FPU registers (vlibos-fpucheck)
};
/// Indices into SLAVE_WATCH.
enum SlaveWatch : uint32_t {
    WATCH_DONE,
    WATCH_IPI,
    WATCH_MSR,
    WATCH_DEVMEM,
    WATCH_BUSY,
    WATCH_XSAVE_PASS,
    WATCH_FPU_PASS
};

/// The line the slave's init prints once userspace runs (slave/initramfs/init).
inline constexpr const char* SLAVE_USERSPACE_MARKER = "vlibos-slave: userspace up";

/// The functions below that take `slave` act on slave number `slave` (SlaveOptions::id; 0 is
/// the first, the only one unless slaves=2).
///
/// Boot Linux on the calling CPU and run it until it halts, dies or is stopped. Errors are for
/// what prevents booting at all (a bad bzImage, too little memory, no VMX, no x2APIC); they
/// have been printed with the details when this returns.
kern::Result<void> run_linux_slave(const SlaveImages& img, const SlaveOptions& opt,
                                   SlaveResult& res);

/// Share @p bytes of master memory at host-physical @p hpa (2 MiB-aligned, a multiple of 2 MiB)
/// with the slave booted by slave=linux: its EPT maps them right after its RAM, its e820 map
/// marks them reserved, and its command line says `vlibos.channel=<guest-physical address>`.
/// @p on_doorbell (may be null) runs on the slave's CPU, interrupts off, when the slave rings.
/// Call before the slave boots (a KERNEL_LATE_INIT hook with a priority below 30).
void linux_slave_share(uint64_t hpa, uint64_t bytes, void (*on_doorbell)(), unsigned slave = 0);

/// True while the slave started by slave=linux runs (from its launch until it stops).
bool linux_slave_running(unsigned slave = 0);

/// How many slaves the command line asks for: 0 without slave=linux, else slaves=N (1 if absent
/// or out of range). Known before they boot (delegation sets up a channel for each).
unsigned linux_slaves_wanted();

/// How many slaves slave=linux (and slaves=N) started: 0 before the boot hook, or without one.
unsigned linux_slave_count();

/// Stop the slaves (slave=linux) once the master's applications have ended: for slaves that
/// serve them (vlibosd) and never halt by themselves.
void linux_slave_stop_with_apps();

/// Babysat mode (docs/delegation.md): move the running slave, at its next safe exit, from its
/// dedicated CPU to being run only by callers on that CPU, inside their budgets. The CPU's
/// interrupts and local APIC go back to the master; the slave gets a virtual LAPIC.
void linux_slave_request_babysat(unsigned slave = 0);
/// True once the slave is parked in babysat mode.
bool linux_slave_babysat_ready(unsigned slave = 0);
/// The CPU whose callers may run the slave in babysat mode (~0u if none).
unsigned linux_slave_cpu(unsigned slave = 0);

/// Run the parked slave on the calling CPU, in the calling thread, for at most @p budget
/// cycles: its time is the caller's, charged to the caller's VCPU like any other running time.
BabysitResult linux_slave_babysit(uint64_t budget, unsigned slave = 0);

/// Wake the slave's vlibosd (from any CPU, interrupts on or off): post a byte to the receiver of
/// the slave's console UART and send Linux the UART's interrupt, on the vector Linux routed its
/// I/O APIC pin to. Bounded: an atomic increment and one ICR write, never a wait for Linux.
/// In babysat mode only the byte is posted; the caller's next linux_slave_babysit() delivers the
/// interrupt. Nothing is sent while Linux has the pin masked (the daemon has not opened the tty).
void linux_slave_wake(unsigned slave = 0);

/// VM exits of the running slave so far, into @p exits; false if no slave runs. Exact (counted
/// by the slave's CPU at each exit) but read without a lock: a count one exit old at most.
bool linux_slave_exits(uint64_t& exits, unsigned slave = 0);

/// Ask the running slave to stop (from any CPU): sets the flag its exit handler checks and
/// sends its CPU an NMI. Returns false if no slave is running.
bool linux_slave_request_stop(unsigned slave = 0);

} // namespace hv
