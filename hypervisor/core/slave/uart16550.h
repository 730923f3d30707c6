// A 16550A UART as a guest sees it, emulated for the Linux slave's console (ports trapped
// through the I/O bitmap). What the guest transmits is collected into lines and handed to a sink
// (the master prints them prefixed "[linux]"). What it receives is a wake-up, not data: the
// master posts "there is something in the channel" by bumping a counter (attach_rx), the
// receiver then holds one byte (RX_BYTE) until the guest reads it, however many posts came in
// between. vlibosd blocks in read() on the tty and the receive interrupt wakes it
// (docs/delegation.md, "Waking the daemon").
//
// Enough of the register file for Linux's 8250 driver to detect a 16550A, for its console to
// transmit without interrupts (the transmitter is always ready: LSR.THRE and TEMT set, so each
// character costs one LSR read and one THR write), and for its interrupt handler: IIR reports a
// received byte before an empty transmitter, and an empty transmitter raises its interrupt when
// IER enables it (the 8250 driver's start-up test looks for UARTs that do not) or when a
// character has been sent. Registers (offset from the base port; DLAB is LCR bit 7; National
// Semiconductor PC16550D data sheet, Table 2; interrupt priorities Table 4):
//   0 RBR (read) / THR (write) / DLL (DLAB)   1 IER / DLM (DLAB)   2 IIR (read) / FCR (write)
//   3 LCR   4 MCR   5 LSR   6 MSR   7 SCR
#pragma once

#include "core/atomic.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// An emulated output-only 16550A.
class Uart16550 {
  public:
    /// Base port of COM1, the slave's console.
    static constexpr uint16_t COM1 = 0x3F8;
    /// Longest line handed to the sink; longer output is split.
    static constexpr size_t MAX_LINE = 200;
    /// Receives each completed line (no newline, NUL-terminated, printable ASCII only).
    using LineSink = void (*)(void* ctx, const char* line, size_t n);

    /// The byte the receiver holds after a post: its value means nothing, its arrival wakes.
    static constexpr uint8_t RX_BYTE = 'k';

    /// A UART in its reset state whose lines go to @p sink(@p ctx, ...).
    Uart16550(LineSink sink, void* ctx) : m_sink(sink), m_ctx(ctx) {}

    /// Take received bytes from @p posts, a counter another CPU increments (release) to post a
    /// wake-up: whenever it differs from the last value the guest consumed, the receiver holds
    /// RX_BYTE (LSR.DR). Posts made before this call are not received (a rebooted slave starts
    /// with an empty receiver). Null (the default): nothing is ever received.
    void attach_rx(const kern::Atomic<uint32_t>* posts) {
        m_rx_posts = posts;
        m_rx_taken = posts ? posts->load(kern::MemoryOrder::acquire) : 0;
    }
    /// True if the receiver holds a byte.
    bool rx_ready() const;
    /// The UART's interrupt output as the PC wires it: some interrupt is pending (IIR bit 0
    /// clear) and MCR.OUT2 is set (OUT2 gates IRQ 4 on PC serial ports).
    bool irq_line() const;
    /// The part of irq_line() that the transmitter causes (for a poster that delivers the
    /// receiver's interrupts itself: see SlaveExitContext::rx_edges_posted).
    bool thre_line() const;

    /// The guest reads register @p offset (0-7).
    uint8_t read(unsigned offset);
    /// The guest writes @p value to register @p offset (0-7).
    void write(unsigned offset, uint8_t value);
    /// Hand a partial line to the sink (e.g. when the guest stops).
    void flush();
    /// Characters transmitted so far.
    uint64_t chars() const { return m_chars; }

  private:
    void put(uint8_t c);

    LineSink m_sink;
    void* m_ctx;
    uint8_t iir() const;

    uint8_t m_ier = 0, m_lcr = 0, m_mcr = 0, m_scr = 0, m_dll = 1, m_dlm = 0;
    bool m_fifo = false;
    bool m_thre_pending =
        false; // the "transmitter empty" interrupt, until IIR shows it or THR is written
    const kern::Atomic<uint32_t>* m_rx_posts = nullptr;
    uint32_t m_rx_taken = 0; // the post count the guest's last RBR read consumed
    char m_line[MAX_LINE + 1] = {};
    size_t m_len = 0;
    uint64_t m_chars = 0;
};

} // namespace hv
