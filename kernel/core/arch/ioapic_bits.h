// The I/O APIC's registers and redirection-table entry bits, named as the Intel 82093AA I/O
// APIC datasheet (order no. 290566) names them; every IOAPIC the chipsets and emulators
// provide keeps that interface. Pure.
//
// The IOAPIC is reached indirectly through two memory-mapped registers (datasheet 3.1): write
// a register's index to IOREGSEL, then read or write its value through IOWIN.
#pragma once

#include <stdint.h>

namespace kern::ioapic {

/// IOREGSEL: the register index, at the IOAPIC's base address (datasheet 3.1.1).
inline constexpr uint32_t IOREGSEL = 0x00;
/// IOWIN: the selected register's value, at base + 0x10 (datasheet 3.1.2).
inline constexpr uint32_t IOWIN = 0x10;

/// IOAPICID, register 0x00: the IOAPIC's id in bits 27:24 (datasheet 3.2.1).
inline constexpr uint32_t IOAPICID = 0x00;
/// IOAPICVER, register 0x01: version in bits 7:0, Maximum Redirection Entry (the number of
/// pins less one) in bits 23:16 (datasheet 3.2.2).
inline constexpr uint32_t IOAPICVER = 0x01;
/// Shift of IOAPICVER's Maximum Redirection Entry field.
inline constexpr unsigned IOAPICVER_MAX_REDIR_SHIFT = 16;
/// IOREDTBL: entry n's low dword is register 0x10 + 2n, its high dword 0x11 + 2n (datasheet
/// 3.2.4).
inline constexpr uint32_t IOREDTBL = 0x10;

/// Redirection-table entry bits 7:0: the interrupt vector (16-254).
inline constexpr uint64_t REDIR_VECTOR_MASK = 0xFF;
/// Bits 10:8: delivery mode; 000 = fixed (deliver to the destination's vector).
inline constexpr uint64_t REDIR_DELMOD_MASK = uint64_t(7) << 8;
/// Bit 11: destination mode, 1 = logical (0 = physical: bits 63:56 are an APIC id).
inline constexpr uint64_t REDIR_DESTMOD_LOGICAL = uint64_t(1) << 11;
/// Bit 12: delivery status (read-only): 1 = an interrupt waits to be sent.
inline constexpr uint64_t REDIR_DELIVS = uint64_t(1) << 12;
/// Bit 13: interrupt input pin polarity, 1 = active low.
inline constexpr uint64_t REDIR_INTPOL_LOW = uint64_t(1) << 13;
/// Bit 14: remote IRR (read-only, level-triggered): 1 = accepted, no EOI yet.
inline constexpr uint64_t REDIR_REMOTE_IRR = uint64_t(1) << 14;
/// Bit 15: trigger mode, 1 = level (0 = edge).
inline constexpr uint64_t REDIR_TRIGGER_LEVEL = uint64_t(1) << 15;
/// Bit 16: interrupt mask, 1 = masked (the pin raises nothing).
inline constexpr uint64_t REDIR_MASKED = uint64_t(1) << 16;
/// Bits 63:56: the destination; in physical mode an APIC id (8 bits: x2APIC ids above 255
/// need interrupt remapping, which the kit does not use).
inline constexpr unsigned REDIR_DEST_SHIFT = 56;

} // namespace kern::ioapic
