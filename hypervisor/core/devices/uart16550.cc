#include "hypervisor/core/devices/uart16550.h"

namespace hv {

namespace {
constexpr uint8_t LCR_DLAB = 0x80;
constexpr uint8_t LSR_THRE = 0x20; // transmit holding register empty
constexpr uint8_t LSR_TEMT = 0x40; // transmitter empty
constexpr uint8_t IIR_NO_INT = 0x01;
constexpr uint8_t IIR_FIFO = 0xC0; // FIFOs enabled (16550A)
constexpr uint8_t MSR_CTS_DSR_DCD = 0xB0;
constexpr uint8_t MCR_LOOP = 0x10;
} // namespace

uint8_t Uart16550::read(unsigned offset) {
    switch (offset & 7) {
    case 0: return (m_lcr & LCR_DLAB) ? m_dll : 0; // RBR: nothing ever received
    case 1: return (m_lcr & LCR_DLAB) ? m_dlm : m_ier;
    case 2: return IIR_NO_INT | (m_fifo ? IIR_FIFO : 0);
    case 3: return m_lcr;
    case 4: return m_mcr;
    case 5: return LSR_THRE | LSR_TEMT;
    case 6:
        // In loopback the modem inputs follow MCR's outputs (DTR->DSR, RTS->CTS, OUT1->RI,
        // OUT2->DCD), which is what a driver's loopback test looks for.
        if (m_mcr & MCR_LOOP)
            return uint8_t(((m_mcr & 1) << 5) | ((m_mcr & 2) << 3) | ((m_mcr & 4) << 4) | ((m_mcr & 8) << 4));
        return MSR_CTS_DSR_DCD;
    default: return m_scr;
    }
}

void Uart16550::write(unsigned offset, uint8_t v) {
    switch (offset & 7) {
    case 0:
        if (m_lcr & LCR_DLAB)
            m_dll = v;
        else if (!(m_mcr & MCR_LOOP))
            put(v);
        break;
    case 1:
        if (m_lcr & LCR_DLAB)
            m_dlm = v;
        else
            m_ier = v & 0x0F; // the 16550A implements IER bits 3:0 only
        break;
    case 2: m_fifo = v & 1; break; // FCR
    case 3: m_lcr = v; break;
    case 4: m_mcr = v & 0x1F; break;
    case 5: break; // LSR and MSR are read-only (writes are for factory test)
    case 6: break;
    default: m_scr = v; break;
    }
}

void Uart16550::put(uint8_t c) {
    ++m_chars;
    if (c == '\n') {
        flush();
        return;
    }
    if (c == '\r')
        return;
    m_line[m_len++] = (c >= 0x20 && c < 0x7F) ? char(c) : (c == '\t' ? ' ' : '.');
    if (m_len == MAX_LINE)
        flush();
}

void Uart16550::flush() {
    if (m_len == 0)
        return;
    m_line[m_len] = '\0';
    if (m_sink)
        m_sink(m_ctx, m_line, m_len);
    m_len = 0;
}

} // namespace hv
