// What a guest is launched with and how it ended: plain types shared by the run loop
// (hypervisor/run_loop.h) and the pure exit handlers (core/exit_dispatch.h).
#pragma once

#include "hypervisor/core/guest_regs.h"

#include "hypervisor/core/exit_reason.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

class RealVmcs;
struct GuestContext;
class DirtyLog;

/// The CPU mode a test guest starts in.
enum class GuestMode : uint8_t {
    long64,      ///< 64-bit, paging on (identity page tables built by the hypervisor)
    protected32, ///< 32-bit protected mode, flat segments, paging off (needs unrestricted guest)
    real16,      ///< real mode at IMAGE_OFFSET (CS = IMAGE_OFFSET >> 4, IP = 0; needs unrestricted
                 ///< guest)
};

/// What to run.
struct GuestConfig {
    const char* name = "guest";     ///< for messages
    const uint8_t* image = nullptr; ///< code, copied to guest RAM at IMAGE_OFFSET
    size_t image_size = 0;          ///< bytes at image
    uint64_t ram_bytes = 2 << 20;   ///< guest RAM: a multiple of 2 MiB, at most 1 GiB
    bool use_ept = false; ///< guest-physical = 0-based under EPT (lab 6); else host-physical
    GuestMode mode = GuestMode::long64; ///< real16 and protected32 require use_ept
    uint32_t preemption_timer = 0;      ///< VMX-preemption timer per entry (cycles), 0 = off
    uint64_t max_guest_cycles = 0;      ///< stop the guest after this much guest time, 0 = no limit
    uint64_t max_exits = 100000;        ///< stop a guest that exits endlessly
    bool quiet = false;                 ///< no per-exit-kind summary at the end
    /// Print nothing, not even the `@@ guest_exits` line: for guests run on the babysat slave's
    /// CPU, where a thread preempted while holding the console lock would deadlock the slave's
    /// next console line (printed with interrupts off on that CPU).
    bool silent = false;
    /// Ports and MSRs the guest may use directly (through the I/O and MSR bitmaps); every
    /// other port and MSR access exits and is denied.
    struct PassThrough {
        static constexpr size_t MAX = 8; ///< entries per list
        uint16_t ports[MAX] = {};        ///< ports passed through
        size_t port_count = 0;           ///< used entries of ports
        uint32_t msr_reads[MAX] = {};    ///< MSRs the guest may RDMSR
        size_t msr_read_count = 0;       ///< used entries of msr_reads
    } pass;                              ///< nothing by default: maximal isolation
    /// The general registers and CR2 at launch; nullptr: the launch convention (RDI = the
    /// RAM's size, RSI = its guest-physical base, the others 0).
    const GuestRegs* initial_regs = nullptr;
    /// Build, check and load the guest's VMCS, then stop without entering it.
    bool check_only = false;
    /// Log the pages of guest RAM the guest writes here (lab 6, step 3; needs use_ept and at
    /// most DirtyLog::MAX_PAGES pages of RAM): its RAM starts write-protected in the EPT and each
    /// page's first write is logged by the EPT-violation handler. nullptr: no logging.
    DirtyLog* dirty_log = nullptr;
    /// A test's own exit handler in place of handle_exit(), with its contract (lab 5's step 4
    /// tests: entering and leaving the guest must not need step 5's handlers).
    /// It reads and writes the VMCS through @p vmcs (the current one).
    bool (*exit_handler)(RealVmcs& vmcs, GuestRegs& r, GuestContext& ctx) = nullptr;
};

/// Where code goes in guest RAM, and the guest's page tables (a 64-bit guest).
inline constexpr uint64_t IMAGE_OFFSET = 0x10000;

/// Why a guest stopped.
enum class GuestEnd : uint8_t {
    halted,           ///< HLT
    exited,           ///< HC_EXIT
    ept_violation,    ///< touched guest-physical memory outside its RAM
    triple_fault,     ///< shutdown
    budget_exhausted, ///< max_guest_cycles used up
    entry_failed,     ///< VMLAUNCH/VMRESUME failed
    unhandled_exit,   ///< an exit the hypervisor cannot handle
    too_many_exits,   ///< max_exits reached
    vmcs_failed,      ///< a VMPTRLD, VMREAD or VMWRITE of its VMCS failed (the field is named)
};

/// Name of a GuestEnd, for people ("EPT violation").
const char* guest_end_name(GuestEnd e);
/// Name of a GuestEnd as one token, for `@@` lines ("ept_violation").
const char* guest_end_token(GuestEnd e);

/// What happened.
struct GuestOutcome {
    GuestEnd end = GuestEnd::halted;        ///< why it stopped
    uint64_t detail = 0;                    ///< guest-physical address, exit code, error number...
    uint64_t guest_rip = 0;                 ///< guest RIP when it stopped
    uint64_t exits[EXIT_REASON_COUNT] = {}; ///< exits per basic exit reason
    uint64_t total_exits = 0;               ///< all exits
    uint64_t report[3] = {};                ///< the last HC_REPORT arguments
    bool reported = false;                  ///< HC_REPORT was called
    uint64_t prints = 0;                    ///< HC_PRINT calls
    uint64_t bad_hypercalls = 0;            ///< hypercalls answered with an error
    uint64_t nmis = 0;                      ///< NMIs that arrived while the guest ran
    uint64_t cr_writes = 0;                 ///< CR0/CR4 writes emulated (CR-access exits)
    uint64_t injected_gp = 0;  ///< general-protection exceptions injected (e.g. an invalid XSETBV)
    uint64_t guest_xcr0 = 1;   ///< the guest's XCR0 (x87 only until it sets one)
    uint64_t guest_cycles = 0; ///< TSC cycles spent in non-root operation (approx.)
    uint64_t fpu_saves = 0;    ///< its FPU registers saved because another guest took the CPU
    uint64_t fpu_restores = 0; ///< its FPU registers restored (the first entry included)
    /// The longest exit handled, for a vCPU run with interrupts off all along (the Linux slave:
    /// the master's timers on its CPU wait that long at worst): cycles from the exit to the
    /// end of its handling, and its basic exit reason.
    uint64_t longest_exit_cycles = 0;
    uint16_t longest_exit_reason = 0;        ///< of longest_exit_cycles
    uint64_t longest_exit_qualification = 0; ///< of longest_exit_cycles (the port, the address)
    GuestRegs final_regs{};                  ///< the general registers and CR2 when it stopped
};

} // namespace hv
