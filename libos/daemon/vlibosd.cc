// vlibosd: the delegation daemon in the Linux slave. It maps the channel the master shares
// (an e820-reserved range, through /dev/mem: STRICT_DEVMEM allows reserved ranges and refuses
// RAM), then serves requests until it is killed:
//
//   pop a request -> Server::serve() (copy out, check, do it) -> push the response
//   -> ring the doorbell (VMCALL) if the master asked for one
//
// When the ring is empty it spins a while, then sleeps poll_us between looks.
//
//   vlibosd [channel=ADDR] [poll_us=N] [spin=N]
// Defaults come from the kernel command line: vlibos.channel= (the master puts it there),
// vlibos.poll_us= (200) and vlibos.spin= (2000 empty looks before the first sleep; -1: never
// sleep, the daemon busy-polls its dedicated CPU).
#include "libos/channel/protocol.h"
#include "libos/channel/ring.h"
#include "libos/daemon/server.h"
#include "libos/daemon/slave_env.h"
#include "slave/programs/programs.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

const char* arg(int argc, char** argv, const char* key) {
    size_t n = std::strlen(key);
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
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
    if (const char* a = arg(argc, argv, "channel"))
        addr = std::strtoull(a, nullptr, 0);
    long poll_us = long(kernel_cmdline_value("vlibos.poll_us", 200)), spin = long(kernel_cmdline_value("vlibos.spin", 2000));
    if (const char* a = arg(argc, argv, "poll_us"))
        poll_us = std::atol(a);
    if (const char* a = arg(argc, argv, "spin"))
        spin = std::atol(a);
    if (!addr) {
        std::printf("vlibosd: no channel address (vlibos.channel= on the kernel command line, or channel=ADDR)\n");
        return 1;
    }
    uint8_t* region = map_channel(addr);
    if (!region) {
        std::printf("vlibosd: cannot map the channel at %#llx through /dev/mem: %s\n", addr, std::strerror(errno));
        return 1;
    }
    auto* hdr = reinterpret_cast<volatile ChannelHeader*>(region + HEADER_OFFSET);
    if (hdr->magic != CHANNEL_MAGIC || hdr->version != CHANNEL_VERSION || hdr->slots != SLOTS ||
        hdr->slot_bytes != SLOT_BYTES || hdr->buffers != BUFFERS || hdr->buffer_bytes != BUFFER_BYTES) {
        std::printf("vlibosd: no channel at %#llx (magic %#x version %u): the master must set it up first\n", addr,
                    unsigned(hdr->magic), unsigned(hdr->version));
        return 1;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    RingConsumer<Request> requests(region + REQUEST_RING_OFFSET);
    RingProducer<Response> responses(region + RESPONSE_RING_OFFSET);
    Server server;
    hdr->daemon_up = uint32_t(getpid());
    std::printf("vlibosd: serving the channel at %#llx (%s; %s)\n", addr,
                hdr->doorbell_mode == DOORBELL_VMCALL ? "rings the doorbell" : "the master polls",
                spin < 0 ? "busy-polls" : "sleeps when idle");
    std::fflush(stdout);
    uint64_t served = 0;
    long idle = 0;
    static uint8_t scratch[BUFFER_BYTES]; // the buffer of a request whose index is out of range
    while (!g_stop) {
        Request req;
        RingStatus s = requests.pop(req);
        if (s == RingStatus::corrupt) {
            std::printf("vlibosd: the request ring is corrupt (the master's index is impossible); stopping\n");
            break;
        }
        if (s == RingStatus::empty) {
            if (spin >= 0 && ++idle > spin) {
                hdr->daemon_polls = hdr->daemon_polls + 1;
                timespec t{0, poll_us * 1000};
                nanosleep(&t, nullptr);
            }
            continue;
        }
        idle = 0;
        uint8_t* buffer = req.buffer < BUFFERS ? region + BUFFERS_OFFSET + uint64_t(req.buffer) * BUFFER_BYTES : scratch;
        Response rsp = server.serve(req, buffer);
        RingStatus p;
        while ((p = responses.push(rsp)) == RingStatus::full && !g_stop)
            sched_yield();
        if (p == RingStatus::corrupt) {
            std::printf("vlibosd: the response ring is corrupt; stopping\n");
            break;
        }
        ++served;
        if (hdr->doorbell_mode == DOORBELL_VMCALL) {
            hdr->doorbells = hdr->doorbells + 1;
            doorbell();
        }
    }
    hdr->daemon_up = 0;
    std::printf("vlibosd: stopped after %llu requests (%llu malformed)\n", (unsigned long long)served,
                (unsigned long long)server.malformed());
    return 0;
}
