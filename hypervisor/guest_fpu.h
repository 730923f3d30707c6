// Each vCPU's x87/SSE/AVX registers (its "FPU state"), kept in an XSAVE area of its own and
// switched when another guest needs the CPU.
//
// VM entry and exit switch neither the FPU registers nor XCR0 (SDM Vol 3C 26.3, 27.5: neither is
// in the VMCS), so without this a guest finds in them whatever the last guest on that CPU left:
// a parked babysat slave's registers were live for the test guest that ran next, and its
// changes were the slave's. The master has no FPU state of its own: it is built with
// -mgeneral-regs-only (its applications too), leaves CR4.OSFXSR clear (SSE instructions #UD)
// and runs with XCR0 = x87 only (AVX instructions #UD). So the registers can stay a guest's while
// the master runs, and are switched lazily: each CPU has an owner, the vCPU whose registers are
// live there; entering another vCPU saves the owner's (XSAVE) and loads its own (XRSTOR). A
// guest alone on its CPU (the dedicated slave, a babysat slave with no other guest around) pays
// nothing but two XSETBVs per exit.
//
// The areas are in the standard format, saved with XSAVE/XRSTOR, never XSAVEC (Bochs 2.7's
// compacted format is wrong: slave_policy.cc), with RFBM = xsave::save_mask(guest XCR0) loaded
// into XCR0 around the instruction: XSAVE and XRSTOR act only on components XCR0 enables
// (SDM Vol 1 13.7, 13.8).
#pragma once

#include "arch/x86_64/percpu.h"
#include "core/result.h"

#include <stdint.h>

namespace hv {

/// XCR0 while the master runs: x87 only, its value after reset (SDM Vol 1 13.3).
inline constexpr uint64_t HOST_XCR0 = 1;

/// One vCPU's FPU state. Threads never move between CPUs, so a vCPU's registers are live on at
/// most one CPU: the one it last entered on.
class GuestFpu {
  public:
    GuestFpu() = default;
    GuestFpu(const GuestFpu&) = delete;
    GuestFpu& operator=(const GuestFpu&) = delete;
    /// Gives up ownership (on the CPU that calls it: the vCPU's own) and frees the area.
    ~GuestFpu();

    /// Allocate the area, sized from CPUID leaf 0xD for every component the CPU supports, in the
    /// state of a CPU after reset (every component initial, MXCSR 0x1F80). Without XSAVE
    /// (CPUID.1:ECX.XSAVE clear) nothing is allocated and every method does nothing: there is
    /// no XCR0 to switch, and guests then share the registers as before.
    [[nodiscard]] kern::Result<void> init();

    /// Before VM entry, interrupts off: make this vCPU's registers the live ones on this CPU
    /// (saving the previous owner's) and load its XCR0. Inline for the case of every exit of a
    /// guest alone on its CPU: its registers still live, its XCR0 the master's.
    void enter() {
        if (area_ && (cpu_ != int(kern::this_cpu().index) || xcr0_ != HOST_XCR0)) switch_in();
    }
    /// After VM exit, interrupts off: the master's XCR0 again. The registers stay this vCPU's.
    void leave() {
        if (area_ && xcr0_ != HOST_XCR0) load_host_xcr0();
    }
    /// An XSETBV exit set the guest's XCR0 to @p xcr0 (already checked). Components it brings
    /// into the save mask start in their initial configuration, not with whatever the CPU held.
    /// Any interrupt state; leaves the master's XCR0 loaded.
    void set_guest_xcr0(uint64_t xcr0);
    /// The guest's XCR0.
    uint64_t guest_xcr0() const { return xcr0_; }

    /// XSAVEs of this vCPU's registers (another vCPU took the CPU).
    uint64_t saves() const { return saves_; }
    /// XRSTORs into this vCPU's registers (it took the CPU back).
    uint64_t restores() const { return restores_; }
    /// The area's size in bytes (0 without XSAVE).
    uint32_t area_bytes() const { return bytes_; }

  private:
    void save_live();
    void switch_in();
    static void load_host_xcr0();

    uint8_t* area_ = nullptr;
    uint64_t frames_ = 0; // 4 KiB frames behind area_
    uint32_t bytes_ = 0;
    uint64_t xcr0_ = 1; // XCR0 after reset: x87 only (SDM Vol 1 13.3)
    int cpu_ = -1;      // the CPU where its registers are live, -1 if none
    uint64_t saves_ = 0, restores_ = 0;
};

} // namespace hv
