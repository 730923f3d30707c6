// Local APIC register bits (SDM Vol 3A chapter 11), shared by the kernel's LAPIC driver
// (arch/x86_64/apic/lapic.h) and the hypervisor's virtual LAPIC for the Linux slave
// (hypervisor/core/slave/vlapic.cc). The registers themselves: lapic::Reg (xAPIC MMIO offsets)
// and kern::x86::IA32_X2APIC_* (x2APIC MSRs, core/arch/msr.h). Pure.
#pragma once

#include <stdint.h>

namespace kern::lapic {

/// ICR delivery modes (SDM Vol 3A 11.6.1, Figure 11-12), already shifted to bits 10:8.
enum Delivery : uint32_t { FIXED = 0 << 8, NMI = 4 << 8, INIT = 5 << 8, STARTUP = 6 << 8 };

/// LVT timer modes (SDM Vol 3A 11.5.4, Figure 11-8): bits 18:17.
enum TimerMode : uint32_t { ONE_SHOT = 0 << 17, PERIODIC = 1 << 17, TSC_DEADLINE = 2 << 17 };

/// ICR bits 7:0: the vector (SDM Vol 3A 11.6.1, Figure 11-12; x2APIC: 11.12.9, Figure 11-28).
inline constexpr uint64_t ICR_VECTOR_MASK = 0xFF;
/// ICR bits 10:8: the delivery mode (Delivery, shifted down).
inline constexpr uint64_t ICR_DELIVERY_MASK = uint64_t(7) << 8;
/// ICR bit 11: destination mode, 1 = logical.
inline constexpr uint64_t ICR_DESTINATION_LOGICAL = 1u << 11;
/// ICR bits 19:18: the destination shorthand (Shorthand).
inline constexpr uint64_t ICR_SHORTHAND_MASK = uint64_t(3) << 18;
/// x2APIC ICR bits 63:32: the destination's x2APIC id.
inline constexpr unsigned ICR_X2APIC_DESTINATION_SHIFT = 32;
/// Destination shorthands (ICR bits 19:18), already shifted.
enum Shorthand : uint64_t {
    SHORTHAND_NONE = uint64_t(0) << 18,               ///< the destination field says
    SHORTHAND_SELF = uint64_t(1) << 18,               ///< the sending CPU
    SHORTHAND_ALL_INCLUDING_SELF = uint64_t(2) << 18, ///< every CPU
    SHORTHAND_ALL_EXCLUDING_SELF = uint64_t(3) << 18, ///< every CPU but the sender
};

/// ICR bit 12, delivery status: 1 while the IPI is still being sent (xAPIC only; SDM 11.6.1).
inline constexpr uint32_t ICR_DELIVERY_STATUS = 1u << 12;
/// ICR bit 14, level: 1 = assert (every IPI but an INIT level de-assert; SDM 11.6.1).
inline constexpr uint32_t ICR_LEVEL_ASSERT = 1u << 14;
/// LVT bit 16: masked, the entry raises no interrupt (SDM 11.5.1, Figure 11-8).
inline constexpr uint32_t LVT_MASKED = 1u << 16;
/// Spurious-interrupt vector register bit 8: APIC software enable (SDM 11.9, Figure 11-23).
inline constexpr uint32_t SVR_APIC_ENABLE = 1u << 8;
/// Error status register bit 6: received illegal vector (SDM 11.5.3, Figure 11-9).
inline constexpr uint32_t ESR_RECEIVE_ILLEGAL_VECTOR = 1u << 6;
/// Divide configuration register value 1011b: divide by 1 (SDM 11.5.4, Figure 11-10).
inline constexpr uint32_t TIMER_DIVIDE_BY_1 = 0xB;
/// The local APIC's physical base address after reset (SDM 11.4.1).
inline constexpr uint64_t XAPIC_DEFAULT_BASE = 0xFEE00000;

} // namespace kern::lapic
