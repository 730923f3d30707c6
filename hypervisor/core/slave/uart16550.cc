#include "hypervisor/core/slave/uart16550.h"

namespace hv {

namespace {
constexpr uint8_t LCR_DLAB = 0x80;
constexpr uint8_t LSR_THRE = 0x20; // transmit holding register empty
constexpr uint8_t LSR_TEMT = 0x40; // transmitter empty
constexpr uint8_t IIR_NO_INT = 0x01;
constexpr uint8_t IIR_THRI = 0x02; // transmitter holding register empty (lowest priority here)
constexpr uint8_t IIR_RDI = 0x04;  // received data available (above THRE)
constexpr uint8_t IER_RDI = 0x01;  // enable received-data interrupt
constexpr uint8_t IER_THRI = 0x02; // enable THR-empty interrupt
constexpr uint8_t LSR_DR = 0x01;   // data ready
constexpr uint8_t MCR_OUT2 = 0x08; // gates the interrupt line on a PC
constexpr uint8_t IIR_FIFO = 0xC0; // FIFOs enabled (16550A)
constexpr uint8_t MSR_CTS_DSR_DCD = 0xB0;
constexpr uint8_t MCR_LOOP = 0x10;
} // namespace

bool Uart16550::rx_ready() const {
    return m_rx_posts && m_rx_posts->load(kern::MemoryOrder::acquire) != m_rx_taken;
}

uint8_t Uart16550::iir() const {
    if ((m_ier & IER_RDI) && rx_ready()) return IIR_RDI;
    if ((m_ier & IER_THRI) && m_thre_pending) return IIR_THRI;
    return IIR_NO_INT;
}

bool Uart16550::irq_line() const {
    return (m_mcr & MCR_OUT2) && iir() != IIR_NO_INT;
}

bool Uart16550::thre_line() const {
    return (m_mcr & MCR_OUT2) && (m_ier & IER_THRI) && m_thre_pending;
}

uint8_t Uart16550::read(unsigned offset) {
    switch (offset & 7) {
    case 0:
        if (m_lcr & LCR_DLAB) return m_dll;
        if (!rx_ready()) return 0;
        m_rx_taken = m_rx_posts->load(kern::MemoryOrder::acquire); // every post so far: one byte
        return RX_BYTE;
    case 1:
        return (m_lcr & LCR_DLAB) ? m_dlm : m_ier;
    case 2: {
        uint8_t id = iir();
        if (id == IIR_THRI) // reading IIR while it reports THRE clears that interrupt
            m_thre_pending = false;
        return id | (m_fifo ? IIR_FIFO : 0);
    }
    case 3:
        return m_lcr;
    case 4:
        return m_mcr;
    case 5:
        return LSR_THRE | LSR_TEMT | (rx_ready() ? LSR_DR : 0);
    case 6:
        // In loopback the modem inputs follow MCR's outputs (DTR->DSR, RTS->CTS, OUT1->RI,
        // OUT2->DCD), which is what a driver's loopback test looks for.
        if (m_mcr & MCR_LOOP)
            return uint8_t(((m_mcr & 1) << 5) | ((m_mcr & 2) << 3) | ((m_mcr & 4) << 4) |
                           ((m_mcr & 8) << 4));
        return MSR_CTS_DSR_DCD;
    default:
        return m_scr;
    }
}

void Uart16550::write(unsigned offset, uint8_t v) {
    switch (offset & 7) {
    case 0:
        if (m_lcr & LCR_DLAB)
            m_dll = v;
        else if (!(m_mcr & MCR_LOOP))
            put(v);
        if (!(m_lcr & LCR_DLAB))
            m_thre_pending = true; // sent at once: the holding register is empty again
        break;
    case 1:
        if (m_lcr & LCR_DLAB) {
            m_dlm = v;
        } else {
            // Enabling the THRE interrupt while the holding register is empty (always, here)
            // raises it: the 8250 driver tests for exactly this and falls back to a polling
            // timer (VM exits at its rate) for UARTs that do not.
            if ((v & IER_THRI) && !(m_ier & IER_THRI)) m_thre_pending = true;
            m_ier = v & 0x0F; // the 16550A implements IER bits 3:0 only
        }
        break;
    case 2:
        m_fifo = v & 1;
        break; // FCR
    case 3:
        m_lcr = v;
        break;
    case 4:
        m_mcr = v & 0x1F;
        break;
    case 5:
        break; // LSR and MSR are read-only (writes are for factory test)
    case 6:
        break;
    default:
        m_scr = v;
        break;
    }
}

void Uart16550::put(uint8_t c) {
    ++m_chars;
    if (c == '\n') {
        flush();
        return;
    }
    if (c == '\r') return;
    m_line[m_len++] = (c >= 0x20 && c < 0x7F) ? char(c) : (c == '\t' ? ' ' : '.');
    if (m_len == MAX_LINE) flush();
}

void Uart16550::flush() {
    if (m_len == 0) return;
    m_line[m_len] = '\0';
    if (m_sink) m_sink(m_ctx, m_line, m_len);
    m_len = 0;
}

} // namespace hv
