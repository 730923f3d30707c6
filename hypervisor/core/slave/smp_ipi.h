// IPIs between an SMP slave's own CPUs that the hypervisor performs itself: INIT and SIPI,
// emulated, and broadcasts, sent to each of its CPUs instead of to every CPU of the machine.
//
// Linux starts each other CPU of an SMP slave the x86 way (SDM Vol 3A 9.4.4 "MP
// Initialization Example"): an INIT IPI, then one or two STARTUP IPIs (SIPI) whose vector V
// says where the CPU starts, in real mode at CS:IP = (V << 8):0000, physical address V << 12.
// The slave's ICR writes exit (icr_filter.h); the ones that start its own CPUs never reach the
// real ICR (an INIT resets a CPU, and the master must keep its CPUs whatever Linux sends):
// the hypervisor starts the target vCPU itself, in real mode at the SIPI's address. Every other
// INIT or SIPI (to a master CPU, broadcast, logical, to itself) is left to the ICR filter,
// which refuses it.
//
//   63           32 31   20 19:18      15  14  11   10:8      7:0
//   | destination  |      | shorthand | TM | L | DM | delivery | vector |   (SDM Vol 3A 11.12.9)
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// What an ICR write means for starting the slave's CPUs.
struct StartupIpi {
    /// The kinds of IPI it tells apart.
    enum Kind : uint8_t {
        none,          ///< not an INIT or SIPI to another of its CPUs: the ICR filter decides
        init,          ///< INIT (level assert): the target waits for a SIPI
        init_deassert, ///< INIT level de-assert (sent by older start-up code): no effect
        startup,       ///< SIPI: the target starts at vector << 12
    };
    Kind kind = none;   ///< what it is
    size_t target = 0;  ///< index of the target in the slave's CPU list
    uint8_t vector = 0; ///< for startup: the start page number
};

/// Decode ICR value @p icr written by the slave's CPU @p self (an index into @p own_ids, the
/// x2APIC ids of its @p n CPUs).
StartupIpi decode_startup_ipi(uint64_t icr, const uint32_t* own_ids, size_t n, size_t self);

/// Linux sends some IPIs to "all excluding self" or "all including self" (destination
/// shorthands 11b and 10b), e.g. REBOOT_VECTOR to stop the others before it halts: a slave with
/// more than one CPU means its own CPUs. For such an @p icr from CPU @p self of a slave with
/// @p n > 1 CPUs, writes to @p out the same IPI addressed to each CPU meant, physically, with no
/// shorthand (each still goes through the ICR filter), and returns how many; 0 if @p icr is
/// not a broadcast or the slave has one CPU (then the filter refuses it as before).
size_t expand_broadcast(uint64_t icr, const uint32_t* own_ids, size_t n, size_t self,
                        uint64_t* out);

} // namespace hv
