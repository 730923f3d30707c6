// vlibosd's wake-up line: the slave's console UART (/dev/ttyS0, the hypervisor's emulated 16550
// on IRQ 4 through its emulated I/O APIC), read raw. The master wakes a blocked daemon by posting
// a byte to the UART's receiver and sending Linux the UART's interrupt (hv::linux_slave_wake);
// the byte carries nothing. Printing is unaffected: the kernel console writes to the same UART
// by polling, and the slave's userspace prints through /dev/kmsg (slave/initramfs/init).
// Hosted C++ (POSIX termios).
#pragma once

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace vlibos {

/// The tty whose receive interrupt wakes the daemon.
inline constexpr const char* WAKE_TTY = "/dev/ttyS0";

/// Open @p path for blocking reads, raw: no echo (an echoed byte would be transmitted, i.e.
/// printed on the master's console), no line discipline, CLOCAL (no wait for a carrier), a read
/// returns as soon as one byte is there. -1 with errno set if Linux refuses (no IRQ for the
/// UART: then the 8250 driver cannot start the port).
inline int open_wake_tty(const char* path) {
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    termios t{};
    if (tcgetattr(fd, &t) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) != 0 || fcntl(fd, F_SETFL, 0) != 0) { // blocking from now on
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    tcflush(fd, TCIFLUSH);
    return fd;
}

/// Block until a byte arrives on @p fd (the master's wake-up), @p also becomes readable (-1:
/// none; vlibosd's is a worker that finished a call) or @p timeout_ms passes (a safety net: the
/// caller looks at the rings either way), then drain what arrived.
inline void wait_for_wake(int fd, int also, int timeout_ms) {
    pollfd p[2] = {{fd, POLLIN, 0}, {also, POLLIN, 0}};
    if (poll(p, also >= 0 ? 2 : 1, timeout_ms) <= 0) return;
    char buf[64];
    for (const pollfd& q : p)
        if (q.fd >= 0 && (q.revents & POLLIN))
            (void)!read(q.fd, buf, sizeof buf); // several posts may have become one byte or a few
}

} // namespace vlibos
