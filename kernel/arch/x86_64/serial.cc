// 16550 UART driver, polled. Register names and offsets from the National Semiconductor PC16550D
// datasheet: THR/RBR +0, IER +1, FCR +2, LCR +3, MCR +4, LSR +5, SCR +7; DLL/DLM at +0/+1 with
// LCR.DLAB set.
#include "arch/x86_64/serial.h"

#include "arch/x86_64/cpu.h"

namespace kern::serial {

namespace {
constexpr uint16_t COM1 = 0x3F8;
constexpr uint16_t IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5, SCR = 7;
constexpr uint8_t LSR_THRE = 1 << 5; // transmit holding register empty
bool g_present = false;

void put_byte(char c) {
    // ~100k polls is far longer than one character at 115200 baud on any real UART; an
    // emulated one is always ready. A UART that never becomes ready must not hang the kernel.
    for (int i = 0; i < 100000; ++i) {
        if (cpu::inb(COM1 + LSR) & LSR_THRE) {
            cpu::outb(COM1, uint8_t(c));
            return;
        }
        cpu::pause();
    }
    g_present = false;
}
} // namespace

bool init() {
    // Scratch register test: a missing UART reads back 0xFF (floating bus).
    cpu::outb(COM1 + SCR, 0x5A);
    if (cpu::inb(COM1 + SCR) != 0x5A) return g_present = false;
    cpu::outb(COM1 + IER, 0x00); // no interrupts: we poll
    cpu::outb(COM1 + LCR, 0x80); // DLAB on
    cpu::outb(COM1 + 0, 1);      // divisor 1: 115200 baud
    cpu::outb(COM1 + 1, 0);
    cpu::outb(COM1 + LCR, 0x03); // 8 data bits, no parity, 1 stop bit, DLAB off
    cpu::outb(COM1 + FCR, 0xC7); // FIFOs on, cleared, 14-byte threshold
    cpu::outb(COM1 + MCR, 0x03); // DTR, RTS
    return g_present = true;
}

bool present() {
    return g_present;
}

void write(const char* s, size_t n) {
    if (!g_present) return;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '\n') put_byte('\r');
        put_byte(s[i]);
    }
}

} // namespace kern::serial
