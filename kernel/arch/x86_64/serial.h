// The 16550 UART on COM1 (I/O port 0x3F8): the console that graders and CI read.
#pragma once

#include <stddef.h>

namespace kern::serial {

/// Program COM1 for 115200 baud 8N1, FIFOs on, no interrupts. Returns false if no UART answers
/// (many lab PCs have no COM1): later writes are then dropped.
bool init();
/// Write bytes, translating "\n" to "\r\n". Never blocks forever: a stuck UART drops output.
void write(const char* s, size_t n);
/// True once init() found a UART.
bool present();

} // namespace kern::serial
