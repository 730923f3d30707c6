// An I/O APIC as a guest sees it, emulated for the Linux slave so that its 8250 driver can get
// IRQ 4 (the console UART's receive interrupt, which wakes vlibosd: docs/delegation.md). Linux's
// Jailhouse guest code registers one at 0xFEC00000 when the setup_data says `standard_ioapic`
// and routes the UART's IRQ to its pin 4, edge-triggered.
//
// Only the register file: IOREGSEL at offset 0x00 selects a register, IOWIN at 0x10 reads or
// writes it (82093AA I/O APIC data sheet, 3.0 "Register Description"; the EOI register at 0x40,
// 3.1, exists from version 0x20 on and matters only for level-triggered pins, which the slave has
// none of). Nothing here delivers an interrupt: the hypervisor reads a pin's redirection entry
// (vector and mask) when the device behind the pin raises its line, and sends the vector to the
// slave's own CPU itself, ignoring the entry's destination and delivery mode, which an untrusted
// guest could aim at a master CPU.
#pragma once

#include <stdint.h>

namespace hv {

/// The emulated I/O APIC's register file.
class IoApic {
  public:
    /// Guest-physical base of the (one) I/O APIC; its registers fill the first 0x44 bytes of the
    /// page.
    static constexpr uint64_t BASE = 0xFEC00000;
    /// Redirection entries (pins).
    static constexpr unsigned PINS = 24;
    static constexpr uint64_t IOREGSEL = 0x00; ///< MMIO offset of the register select
    static constexpr uint64_t IOWIN =
        0x10;                             ///< MMIO offset of the window onto the selected register
    static constexpr uint64_t EOI = 0x40; ///< MMIO offset of the EOI register (version 0x20 on)
    /// The version this model reports (register 1 bits 7:0): 0x20 has the EOI register.
    static constexpr uint32_t VERSION = 0x20;
    /// Redirection entry bit 16: the pin is masked (data sheet 3.2.4).
    static constexpr uint64_t RTE_MASKED = 1ull << 16;

    /// True if the guest-physical address @p gpa is in the I/O APIC's page.
    static bool covers(uint64_t gpa) { return (gpa & ~0xFFFull) == BASE; }

    /// A 32-bit read at @p offset in the page (unused offsets read 0).
    uint32_t read(uint64_t offset) const;
    /// A 32-bit write of @p value at @p offset in the page (read-only registers ignore it).
    void write(uint64_t offset, uint32_t value);

    /// The redirection entry of @p pin (masked for a pin out of range). Safe to call from
    /// another CPU than the one that writes the registers: each half is read atomically.
    uint64_t entry(unsigned pin) const;
    /// The vector @p pin delivers, or -1 if it is masked or its vector is not a valid fixed
    /// interrupt (vectors 0-31 are exceptions and reserved, SDM Vol 3A 6.2).
    int vector(unsigned pin) const;

    /// An I/O APIC after reset: every pin masked.
    IoApic() {
        for (auto& r : m_rte)
            r[0] = uint32_t(RTE_MASKED);
    }

  private:
    uint32_t m_select = 0;
    uint32_t m_id = 0;
    uint32_t m_rte[PINS][2] = {}; // [low, high]
};

} // namespace hv
