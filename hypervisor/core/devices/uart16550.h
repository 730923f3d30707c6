// A 16550A UART as a guest sees it, emulated for the Linux slave's console (ports trapped
// through the I/O bitmap). Output only: what the guest transmits is collected into lines and
// handed to a sink (the master prints them prefixed "[linux]"); the receiver is always empty.
//
// Enough of the register file for Linux's 8250 driver to detect a 16550A and for its console to
// transmit without interrupts: the transmitter is always ready (LSR.THRE and TEMT set), so each
// character costs one LSR read and one THR write. Registers (offset from the base port; DLAB is
// LCR bit 7; National Semiconductor PC16550D data sheet, Table 2):
//   0 RBR (read) / THR (write) / DLL (DLAB)   1 IER / DLM (DLAB)   2 IIR (read) / FCR (write)
//   3 LCR   4 MCR   5 LSR   6 MSR   7 SCR
#pragma once

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

    /// A UART in its reset state whose lines go to @p sink(@p ctx, ...).
    Uart16550(LineSink sink, void* ctx) : m_sink(sink), m_ctx(ctx) {}

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
    uint8_t m_ier = 0, m_lcr = 0, m_mcr = 0, m_scr = 0, m_dll = 1, m_dlm = 0;
    bool m_fifo = false;
    char m_line[MAX_LINE + 1] = {};
    size_t m_len = 0;
    uint64_t m_chars = 0;
};

} // namespace hv
