// The emulated 16550A: what Linux's 8250 driver probes (drivers/tty/serial/8250/8250_port.c,
// autoconfig()) and what its console does to print.
#include "hypervisor/core/slave/uart16550.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hv;

namespace {
struct Lines {
    std::vector<std::string> got;
    static void sink(void* ctx, const char* line, size_t n) {
        static_cast<Lines*>(ctx)->got.emplace_back(line, n);
    }
};
void print(Uart16550& u, const char* s) {
    for (; *s; ++s) {
        REQUIRE((u.read(5) & 0x20) != 0); // THRE: the console polls it before each character
        u.write(0, uint8_t(*s));
    }
}
} // namespace

TEST_CASE(
    "the probe finds a 16550A: IER holds bits 3:0, FIFOs report 11b in IIR[7:6], scratch works") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    u.write(1, 0);
    CHECK((u.read(1) & 0x0F) == 0);
    u.write(1, 0xFF);
    CHECK(u.read(1) == 0x0F);
    u.write(7, 0xA5);
    CHECK(u.read(7) == 0xA5);
    CHECK((u.read(2) >> 6) == 0);
    u.write(2, 0x01); // FCR: enable FIFOs
    CHECK((u.read(2) >> 6) == 3);
    CHECK((u.read(2) & 1) == 1); // no interrupt pending
}

TEST_CASE("DLAB switches offsets 0 and 1 to the divisor latch") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    u.write(1, 0x05);
    u.write(3, 0x83); // DLAB, 8N1
    u.write(0, 0x01);
    u.write(1, 0x00);
    CHECK(u.read(0) == 0x01);
    CHECK(u.read(1) == 0x00);
    u.write(3, 0x03);
    CHECK(u.read(1) == 0x05); // IER unchanged by the divisor write
    CHECK(l.got.empty());     // the divisor write was not output
}

TEST_CASE("output becomes lines, CR dropped, control characters shown as dots") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    print(u, "Linux version 6.1\r\nhello\x01world\n\npartial");
    REQUIRE(l.got.size() == 2);
    CHECK(l.got[0] == "Linux version 6.1");
    CHECK(l.got[1] == "hello.world");
    u.flush();
    REQUIRE(l.got.size() == 3);
    CHECK(l.got[2] == "partial");
    CHECK(u.chars() == 39); // every byte the guest sent, CRs and control characters included
}

TEST_CASE("long lines are split, loopback output is not shown") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    std::string s(450, 'x');
    print(u, s.c_str());
    CHECK(l.got.size() == 2);
    CHECK(l.got[0].size() == Uart16550::MAX_LINE);
    u.write(4, 0x10); // loopback
    print(u, "secret\n");
    CHECK(l.got.size() == 2);
}

TEST_CASE("nothing is ever received") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    CHECK((u.read(5) & 0x01) == 0); // LSR.DR clear
    CHECK(u.read(0) == 0);
}

TEST_CASE("a posted wake-up: one byte in the receiver, IIR says so first, the line needs OUT2") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    kern::Atomic<uint32_t> posts{7}; // posted for an earlier boot: not this UART's
    u.attach_rx(&posts);
    u.write(1, 0x01); // IER: received-data interrupt only
    CHECK_FALSE(u.rx_ready());
    CHECK((u.read(5) & 0x01) == 0); // LSR.DR clear
    CHECK((u.read(2) & 0x0F) == 0x01);
    posts.store(10, kern::MemoryOrder::relaxed); // three posts before the guest looks: one byte
    CHECK(u.rx_ready());
    CHECK((u.read(5) & 0x01) == 1);
    CHECK((u.read(2) & 0x0F) == 0x04); // received data available
    CHECK_FALSE(u.irq_line());         // OUT2 clear: the PC's IRQ line stays low
    u.write(4, 0x08);                  // MCR.OUT2
    CHECK(u.irq_line());
    CHECK(u.read(0) == Uart16550::RX_BYTE);
    CHECK_FALSE(u.rx_ready());
    CHECK(u.read(0) == 0);
    CHECK((u.read(2) & 0x0F) == 0x01);
    CHECK_FALSE(u.irq_line());
    posts.store(11, kern::MemoryOrder::relaxed);
    CHECK(u.irq_line());
    CHECK_FALSE(u.thre_line()); // the receiver's part, not the transmitter's
}

TEST_CASE(
    "THRE interrupts: raised by enabling them or by sending, cleared by reading IIR or sending") {
    Lines l;
    Uart16550 u(Lines::sink, &l);
    u.write(4, 0x08); // OUT2
    // The 8250 driver's start-up test: IER = THRI, IIR must show THRE; IER = 0, IER = THRI again,
    // and IIR must show it again (or the driver polls with a timer).
    u.write(1, 0x02);
    CHECK(u.thre_line());
    CHECK((u.read(2) & 0x0F) == 0x02);
    CHECK((u.read(2) & 0x0F) == 0x01); // reading IIR cleared it
    CHECK_FALSE(u.irq_line());
    u.write(1, 0);
    u.write(1, 0x02);
    CHECK((u.read(2) & 0x0F) == 0x02);
    u.write(0, 'x'); // a character sent: empty again, interrupt again
    CHECK(u.irq_line());
    kern::Atomic<uint32_t> posts{0};
    u.attach_rx(&posts);
    posts.store(1, kern::MemoryOrder::relaxed);
    u.write(1, 0x03);
    CHECK((u.read(2) & 0x0F) == 0x04); // received data outranks THRE (PC16550D Table 4)
    u.read(0);
    CHECK((u.read(2) & 0x0F) == 0x02);
    u.write(1, 0x01); // THRI off: nothing from the transmitter
    CHECK_FALSE(u.thre_line());
}
