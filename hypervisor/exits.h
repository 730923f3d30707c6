// VM-exit dispatch: one handler per basic exit reason (SDM Vol 3D Appendix C), called by
// run_guest() after every exit.
#pragma once

#include "hypervisor/arch/x86_64/guest_regs.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/guest.h"

#include <stdint.h>

namespace hv {

/// What the handlers need to know about the guest.
struct GuestContext {
    const GuestConfig& config; ///< how it was launched
    GuestOutcome& out;         ///< statistics and the verdict, filled in
    uint8_t* ram;              ///< where the host reaches guest RAM
    uint64_t ram_gpa;          ///< guest-physical address of guest RAM's first byte
};

/// Handle the exit that just happened. Returns true if the guest must stop (out.end says why).
bool handle_exit(Vmcs<RealVmcs>& vmcs, GuestRegs& regs, GuestContext& ctx);

} // namespace hv
