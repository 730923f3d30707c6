// The slave's x2APIC ICR filter (lab 7).
//
// The slave's local APIC is passed through in x2APIC mode, so its timer, EOIs and self-IPIs
// cost no VM exits; only writes to the interrupt command register (MSR 0x830) exit, through
// the MSR bitmap, because an IPI leaves the slave's core: an INIT, SIPI, NMI or SMI to a master
// CPU would reset, start or stop it, and a fixed IPI to a master CPU would inject interrupts
// into the master's real-time threads. Jailhouse and ACRN filter the ICR the same way.
//
//   63           32 31   20 19:18      15  14  11   10:8      7:0
//   | destination  |      | shorthand | TM | L | DM | delivery | vector |   (SDM Vol 3A 11.12.9)
#pragma once

#include "core/arch/msr.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// What the filter decided about one ICR write.
enum class IcrVerdict : uint8_t {
    allow,              ///< a fixed-vector IPI to the slave's own CPUs: write it to the real ICR
    deny_delivery_mode, ///< not fixed delivery (INIT, SIPI, NMI, SMI, lowest priority, reserved)
    deny_vector,        ///< vectors 0-15 are illegal for fixed IPIs (the APIC reports an error)
    deny_broadcast,     ///< shorthand "all including self" or "all excluding self"
    deny_logical,       ///< logical destination mode (cluster addressing reaches other CPUs)
    deny_destination,   ///< physical destination that is not one of the slave's CPUs
};

/// Decide an ICR write @p icr by a slave whose CPUs have the x2APIC ids @p own_ids[0..n).
/// Allowed: delivery mode fixed (000b), vector 16-255, and either shorthand "self" (01b) or no
/// shorthand with physical destination mode and a destination in @p own_ids. Everything else
/// is denied, with the first reason that applies in the order of IcrVerdict.
IcrVerdict check_icr_write(uint64_t icr, const uint32_t* own_ids, size_t n);

/// The verdict as one token for `@@` lines ("allow", "deny_delivery_mode", ...).
const char* icr_verdict_token(IcrVerdict v);

} // namespace hv
