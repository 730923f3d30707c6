// A virtual x2APIC for a guest that shares its CPU with the master (the Linux slave in babysat
// mode, docs/delegation.md): the real local APIC stays the master's, and every x2APIC MSR and
// IA32_TSC_DEADLINE the guest touches exits and is served here. Enough for Linux in x2APIC mode
// with the TSC-deadline timer: the register file, IRR/ISR with priorities, EOI, self-IPIs and
// the timer. Interrupts this model raises are injected by the run loop (VM-entry event
// injection) when the guest can take them. Pure: host tests drive it.
//
// SDM Vol 3A chapter 11: 11.8.3-11.8.5 (IRR, ISR, PPR, EOI), 11.12 (x2APIC MSRs), 11.5.4.1
// (TSC-deadline mode).
#pragma once

#include <stdint.h>

namespace hv {

/// The virtual local APIC of one guest CPU.
class VirtualLapic {
  public:
    /// A LAPIC with x2APIC id @p id, in the state a guest left its real one: the caller seeds
    /// the registers it read (seed()) when the guest moves from a real LAPIC to this one.
    explicit VirtualLapic(uint32_t id = 0) : m_id(id) {}

    /// Take over a real LAPIC's configuration: SVR, TPR, the timer LVT and the armed
    /// TSC deadline (0 = none).
    void seed(uint32_t svr, uint32_t tpr, uint32_t lvt_timer, uint64_t tsc_deadline);

    /// True for the MSRs this model serves: x2APIC 0x800-0x8FF and IA32_TSC_DEADLINE (0x6E0).
    static bool handles(uint32_t msr);
    /// RDMSR: false if the register does not exist or is write-only (the guest gets `#GP`).
    bool read(uint32_t msr, uint64_t& value) const;
    /// WRMSR: false for a read-only or missing register (the guest gets `#GP`). An ICR write is
    /// not performed here: icr_write() returns it for the ICR filter, and a self IPI (shorthand
    /// self or the guest's own id) comes back through deliver().
    bool write(uint32_t msr, uint64_t value);
    /// The last ICR value the guest wrote and not yet taken (0: none).
    uint64_t take_icr();

    /// An interrupt with @p vector arrives (an IPI to itself, a device): its IRR bit is set; a
    /// vector below 16 is illegal and sets the ESR's "receive illegal vector" bit instead.
    void deliver(uint8_t vector);
    /// Time passes: the TSC is @p now. Raises the timer's vector once the armed deadline has
    /// come (unless masked), then disarms it.
    void tick(uint64_t now);
    /// The armed TSC deadline, 0 if none (the run loop sleeps until it when the guest idles).
    uint64_t deadline() const { return m_deadline; }
    /// The vector to inject now, or -1: the highest pending one whose priority class is above
    /// the processor priority (PPR), with the APIC software-enabled (SVR bit 8).
    int pending() const;
    /// The run loop injected @p vector: it moves from IRR to ISR.
    void accept(uint8_t vector);
    /// Vectors in service (an EOI clears the highest).
    bool in_service(uint8_t vector) const { return bit(m_isr, vector); }

  private:
    static bool bit(const uint32_t (&a)[8], uint8_t v) { return (a[v / 32] >> (v % 32)) & 1; }
    static void set(uint32_t (&a)[8], uint8_t v) { a[v / 32] |= 1u << (v % 32); }
    static void clear(uint32_t (&a)[8], uint8_t v) { a[v / 32] &= ~(1u << (v % 32)); }
    static int highest(const uint32_t (&a)[8]);
    uint32_t ppr() const;

    uint32_t m_id;
    uint32_t m_tpr = 0, m_svr = 0xFF, m_esr = 0;
    uint32_t m_lvt[7] = {0x10000, 0x10000, 0x10000, 0x10000,
                         0x10000, 0x10000, 0x10000}; // CMCI, timer..error
    uint32_t m_timer_initial = 0, m_divide = 0;
    uint64_t m_deadline = 0;
    uint64_t m_icr = 0;
    bool m_icr_pending = false;
    uint32_t m_irr[8] = {}, m_isr[8] = {};
};

} // namespace hv
