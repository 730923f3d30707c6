// vlibosd: the delegation daemon in the Linux slave. It maps the channel the master shares
// (an e820-reserved range, through /dev/mem: STRICT_DEVMEM allows reserved ranges and refuses
// RAM), then serves requests until it is killed:
//
//   a turn over the caller slots (dispatcher.h): at most one request of each, in round-robin
//   order -> Server::serve() (copy out, check, do it), here or, for a call that may block, in
//   the slot's worker thread -> push the response on the slot's ring -> ring the doorbell
//   (VMCALL) if the master asked for one
//
// When no slot has a request it spins a while, then blocks until the master wakes it: it says so in
// the channel header (daemon_asleep), looks at the ring once more, and blocks in read() on its
// console tty, /dev/ttyS0 (the hypervisor's emulated 16550, wake_tty.h). The master, after
// pushing a request, sees the flag and posts a byte to that UART's receiver with its interrupt
// (hv::linux_slave_wake): Linux's 8250 driver takes it and read() returns. Blocked, the daemon
// costs Linux nothing, so an idle slave's CPU halts until its own next timer (its VM exits per
// second: docs/delegation.md). Without the tty (an old hypervisor, vlibos.block=0) it sleeps
// poll_us between looks, as it used to.
//
//   vlibosd [channel=ADDR] [poll_us=N] [spin=N] [block=0|1] [sleep_ms=N]
// Defaults come from the kernel command line: vlibos.channel= (the master puts it there),
// vlibos.poll_us= (200), vlibos.spin= (2000 empty looks before the first sleep; -1: never
// sleep, the daemon busy-polls its dedicated CPU), vlibos.block= (1: block until woken) and
// vlibos.sleep_ms= (1000: a blocked daemon looks at the ring anyway after this long, so that a
// wake-up lost to a bug costs a second, not a hang).
#include "libos/channel/protocol.h"
#include "libos/channel/ring.h"
#include "libos/daemon/dispatcher.h"
#include "libos/daemon/server.h"
#include "libos/daemon/slave_env.h"
#include "libos/daemon/wake_tty.h"
#include "slave/programs/programs.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

const char* arg(int argc, char** argv, const char* key) {
    size_t n = std::strlen(key);
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    return nullptr;
}

void doorbell() {
    uint64_t rax = vlibos::HC_DOORBELL_NR;
    asm volatile("vmcall" : "+a"(rax) : : "memory"); // exits to the hypervisor whatever the CPL
}

} // namespace

int vlibosd_main(int argc, char** argv) {
    using namespace vlibos;
    unsigned long long addr = channel_address();
    if (const char* a = arg(argc, argv, "channel")) addr = std::strtoull(a, nullptr, 0);
    long poll_us = long(kernel_cmdline_value("vlibos.poll_us", 200)),
         spin = long(kernel_cmdline_value("vlibos.spin", 2000));
    if (const char* a = arg(argc, argv, "poll_us")) poll_us = std::atol(a);
    if (const char* a = arg(argc, argv, "spin")) spin = std::atol(a);
    long block = long(kernel_cmdline_value("vlibos.block", 1)),
         sleep_ms = long(kernel_cmdline_value("vlibos.sleep_ms", 1000));
    if (const char* a = arg(argc, argv, "block")) block = std::atol(a);
    if (const char* a = arg(argc, argv, "sleep_ms")) sleep_ms = std::atol(a);
    if (!addr) {
        std::printf("vlibosd: no channel address (vlibos.channel= on the kernel command line, or "
                    "channel=ADDR)\n");
        return 1;
    }
    uint8_t* region = map_channel(addr);
    if (!region) {
        std::printf("vlibosd: cannot map the channel at %#llx through /dev/mem: %s\n", addr,
                    std::strerror(errno));
        return 1;
    }
    auto* hdr = reinterpret_cast<volatile ChannelHeader*>(region + HEADER_OFFSET);
    if (hdr->magic != CHANNEL_MAGIC || hdr->version != CHANNEL_VERSION || hdr->callers != CALLERS ||
        hdr->slots != SLOTS || hdr->slot_bytes != SLOT_BYTES || hdr->buffers != BUFFERS ||
        hdr->buffer_bytes != BUFFER_BYTES) {
        std::printf("vlibosd: no channel at %#llx (magic %#x version %u): the master must set it "
                    "up first\n",
                    addr, unsigned(hdr->magic), unsigned(hdr->version));
        return 1;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    Server server;
    // The wake-up line: only for a daemon that sleeps at all.
    int tty = -1;
    const char* no_tty = spin < 0 ? "busy-polls" : "vlibos.block=0";
    if (spin >= 0 && block) {
        tty = open_wake_tty(WAKE_TTY);
        if (tty < 0) no_tty = std::strerror(errno);
    }
    hdr->daemon_wait = tty >= 0 ? DAEMON_WAIT_WOKEN : DAEMON_WAIT_POLL;
    hdr->daemon_up = uint32_t(getpid());
    char how[120];
    if (tty >= 0)
        std::snprintf(how, sizeof how, "blocks on %s until the master wakes it", WAKE_TTY);
    else if (spin < 0)
        std::snprintf(how, sizeof how, "busy-polls");
    else
        std::snprintf(how, sizeof how, "sleeps %ld us between looks (no wake-up: %s)", poll_us,
                      no_tty);
    std::printf("vlibosd: serving the channel at %#llx (%u caller slots; %s; %s)\n", addr,
                unsigned(CALLERS),
                hdr->doorbell_mode == DOORBELL_VMCALL ? "rings the doorbell" : "the master polls",
                how);
    std::fflush(stdout);
    long idle = 0;
    bool said_asleep = false; // daemon_asleep is set and the rings have been looked at since
    Dispatcher dispatcher(region, server,
                          hdr->doorbell_mode == DOORBELL_VMCALL ? doorbell : nullptr);
    while (!g_stop) {
        if (dispatcher.all_dead()) {
            std::printf("vlibosd: every caller slot's ring is corrupt; stopping\n");
            break;
        }
        if (dispatcher.turn() == 0) {
            if (spin < 0 || ++idle <= spin) continue;
            if (tty < 0) {
                hdr->daemon_polls = hdr->daemon_polls + 1;
                timespec t{0, poll_us * 1000};
                nanosleep(&t, nullptr);
                continue;
            }
            if (!said_asleep) {
                // Say it, then look once more: a request pushed before the master could see
                // the flag is found by that look (the master fences the same way round).
                __atomic_store_n(&hdr->daemon_asleep, 1u, __ATOMIC_SEQ_CST);
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                said_asleep = true;
                continue;
            }
            hdr->sleeps = hdr->sleeps + 1;
            wait_for_wake(tty, dispatcher.finished_fd(), int(sleep_ms));
            __atomic_store_n(&hdr->daemon_asleep, 0u, __ATOMIC_SEQ_CST);
            said_asleep = false;
            idle = 0;
            continue;
        }
        if (said_asleep) {
            __atomic_store_n(&hdr->daemon_asleep, 0u, __ATOMIC_SEQ_CST);
            said_asleep = false;
        }
        idle = 0;
    }
    hdr->daemon_asleep = 0;
    hdr->daemon_up = 0;
    std::printf("vlibosd: stopped after %llu requests (%llu in workers, %llu malformed)\n",
                (unsigned long long)dispatcher.served(),
                (unsigned long long)dispatcher.handed_off(),
                (unsigned long long)server.malformed());
    return 0;
}
