// vlibos-attack: what a hostile program inside the Linux slave tries, as root, to reach the
// master (lab 7). Each attempt must get nothing; the master's console reports each one.
//
//   vlibos-attack ipi     write the x2APIC ICR through /dev/cpu/0/msr: INIT, SIPI, NMI and a fixed
//                         interrupt to the master's CPU 0, and a broadcast to all but self
//   vlibos-attack msr     leave x2APIC mode, read VMX capabilities, write FEATURE_CONTROL
//   vlibos-attack devmem  read /dev/mem beyond the slave's RAM (64 MiB to 4 GiB, and the APIC
//                         pages), then write there, then read again
//   vlibos-attack doorbell N  ring the master's doorbell N times in a row (VMCALL from user mode):
//                         the bottom halves run on an I/O VCPU of bounded bandwidth, so the
//                         master's real-time threads must not notice
//   vlibos-attack channel play a hostile vlibosd (lab 8): take over the delegation channel and
//                         answer the master's next requests with lies: a read that returns more
//                         than asked, an answer to another call (then silence), an open with more
//                         data than a buffer holds, then an impossible ring index
//
// Output lines start with "attack:" and end with a verdict the grader reads:
// "contained" when the attempt got nothing, "ESCAPED" when it saw or changed something.
#include "programs.h"

#include "libos/channel/protocol.h"
#include "libos/daemon/slave_env.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace {

constexpr uint32_t MSR_ICR = 0x830;

int open_msr() {
    int fd = open("/dev/cpu/0/msr", O_RDWR);
    if (fd < 0) std::printf("attack: cannot open /dev/cpu/0/msr: %s\n", std::strerror(errno));
    return fd;
}

bool wrmsr(int fd, uint32_t msr, uint64_t v) {
    return pwrite(fd, &v, 8, msr) == 8;
}
bool rdmsr(int fd, uint32_t msr, uint64_t& v) {
    return pread(fd, &v, 8, msr) == 8;
}

int ipi() {
    int fd = open_msr();
    if (fd < 0) return 1;
    struct Try {
        const char* what;
        uint64_t icr;
    } tries[] = {
        {"INIT to APIC 0 (the master's CPU)", (0ull << 32) | 0x500 | (1u << 14)},
        {"SIPI to APIC 0", (0ull << 32) | 0x600 | 0x10},
        {"NMI to APIC 0", (0ull << 32) | 0x400},
        {"fixed vector 0x40 to APIC 0", (0ull << 32) | 0x40},
        {"fixed vector 0x40 to all but self", (3ull << 18) | 0x40},
    };
    for (const Try& t : tries) {
        bool ok = wrmsr(fd, MSR_ICR, t.icr);
        // The write "succeeds" inside Linux: the hypervisor drops it. That the master is still
        // running and reports the attempt is the verdict; this line says what was tried.
        std::printf("attack: ipi: %s (ICR %#llx): write %s\n", t.what, (unsigned long long)t.icr,
                    ok ? "accepted by Linux" : std::strerror(errno));
        std::fflush(stdout);
    }
    // The one IPI the slave may send through the ICR: to its own CPU. Vector 0xF6 is Linux's
    // IRQ_WORK_VECTOR, whose handler runs harmlessly when there is no work.
    uint64_t own = 0;
    if (rdmsr(fd, 0x802, own)) { // x2APIC ID (passed through)
        uint64_t icr = (own << 32) | 0xF6;
        bool ok = wrmsr(fd, MSR_ICR, icr);
        std::printf(
            "attack: ipi: fixed vector 0xf6 to its own APIC %llu (ICR %#llx, allowed): write %s\n",
            (unsigned long long)own, (unsigned long long)icr,
            ok ? "accepted by Linux" : std::strerror(errno));
    }
    close(fd);
    std::printf("attack: ipi: done, the master decides (see its slave: lines)\n");
    return 0;
}

int msr() {
    int fd = open_msr();
    if (fd < 0) return 1;
    uint64_t v = 0;
    bool escaped = false;
    if (rdmsr(fd, 0x480, v)) { // IA32_VMX_BASIC
        std::printf("attack: msr: read IA32_VMX_BASIC = %#llx: ESCAPED\n", (unsigned long long)v);
        escaped = true;
    } else {
        std::printf("attack: msr: IA32_VMX_BASIC unreadable (%s): contained\n",
                    std::strerror(errno));
    }
    uint64_t base = 0;
    if (rdmsr(fd, 0x1B, base) && wrmsr(fd, 0x1B, base & ~(1ull << 10))) {
        std::printf("attack: msr: left x2APIC mode: ESCAPED\n");
        escaped = true;
    } else {
        std::printf("attack: msr: IA32_APIC_BASE write refused (%s): contained\n",
                    std::strerror(errno));
    }
    if (wrmsr(fd, 0x3A, 0)) {
        std::printf("attack: msr: wrote IA32_FEATURE_CONTROL: ESCAPED\n");
        escaped = true;
    } else {
        std::printf("attack: msr: IA32_FEATURE_CONTROL write refused (%s): contained\n",
                    std::strerror(errno));
    }
    close(fd);
    return escaped ? 2 : 0;
}

/// Read 8 bytes of physical memory at `pa` through a /dev/mem mapping. (read() on /dev/mem
/// stops at the end of RAM; mmap() does not, and STRICT_DEVMEM allows what is not RAM.)
bool peek(int fd, uint64_t pa, uint64_t& v) {
    void* p = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, off_t(pa & ~4095ull));
    if (p == MAP_FAILED) return false;
    v = *reinterpret_cast<volatile uint64_t*>(static_cast<char*>(p) + (pa & 4095));
    munmap(p, 4096);
    return true;
}

/// Write 8 bytes at `pa` the same way.
bool poke(int fd, uint64_t pa, uint64_t v) {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(pa & ~4095ull));
    if (p == MAP_FAILED) return false;
    *reinterpret_cast<volatile uint64_t*>(static_cast<char*>(p) + (pa & 4095)) = v;
    munmap(p, 4096);
    return true;
}

int devmem() {
    int fd = open("/dev/mem", O_RDWR);
    if (fd < 0) {
        std::printf("attack: devmem: cannot open /dev/mem: %s\n", std::strerror(errno));
        return 1;
    }
    constexpr uint64_t MiB = 1ull << 20;
    // The delegation channel (vlibos.channel=, an e820-reserved range right after RAM) is
    // memory the master shares on purpose: skip it, look everywhere else.
    uint64_t channel = vlibos::channel_address();
    uint64_t tried = 0, readable = 0, nonzero = 0, first_nonzero = 0;
    auto probe = [&](uint64_t pa) {
        if (channel && pa >= channel && pa < channel + vlibos::CHANNEL_BYTES) return;
        uint64_t v = 0;
        ++tried;
        if (!peek(fd, pa, v)) return;
        ++readable;
        if (v && !nonzero++) first_nonzero = pa;
    };
    // Above the slave's RAM (64 MiB by default) every 16 MiB up to 4 GiB, and the local APIC's
    // page, where a real machine has a device. Not the I/O APIC's page (0xFEC00000): that one is
    // the slave's own, emulated by the hypervisor (its registers are not the master's), and it
    // answers only 32-bit MOVs.
    for (uint64_t pa = 64 * MiB; pa < 4096 * MiB; pa += 16 * MiB) // (never 0xFEC00000)
        probe(pa);
    probe(0xFEE00000);
    std::printf("attack: devmem: %llu reads outside RAM, %llu returned data, %llu nonzero%s\n",
                (unsigned long long)tried, (unsigned long long)readable,
                (unsigned long long)nonzero,
                nonzero ? "" : ": contained (nothing outside the slave's RAM is visible)");
    if (nonzero)
        std::printf("attack: devmem: nonzero data at %#llx: ESCAPED\n",
                    (unsigned long long)first_nonzero);
    // Writes: they must not reach anything, and nothing of anyone else may come back.
    uint64_t pattern = 0x5A5A5A5A5A5A5A5Aull;
    uint64_t wrote = 0;
    for (uint64_t pa = 128 * MiB; pa < 4096 * MiB; pa += 256 * MiB)
        if (!channel || pa < channel || pa >= channel + vlibos::CHANNEL_BYTES)
            wrote += poke(fd, pa, pattern);
    std::printf("attack: devmem: %llu writes outside RAM done; the master is still running if you "
                "read this\n",
                (unsigned long long)wrote);
    close(fd);
    return nonzero ? 2 : 0;
}

int channel() {
    using namespace vlibos;
    unsigned long long addr = channel_address();
    uint8_t* region = addr ? map_channel(addr) : nullptr;
    if (!region) {
        std::printf("attack: channel: cannot map the channel\n");
        return 1;
    }
    auto* hdr = reinterpret_cast<volatile ChannelHeader*>(region);
    hdr->daemon_up = uint32_t(getpid());
    std::printf("attack: channel: playing the daemon; the master's next calls get lies\n");
    std::fflush(stdout);
    // Every caller slot's rings: whichever slot the master's next call comes on gets the lie.
    volatile RingControl* req_ctl[CALLERS];
    volatile RingControl* rsp_ctl[CALLERS];
    uint32_t tail[CALLERS], head[CALLERS];
    for (uint32_t c = 0; c < CALLERS; ++c) {
        req_ctl[c] = reinterpret_cast<volatile RingControl*>(region + request_ring_offset(c));
        rsp_ctl[c] = reinterpret_cast<volatile RingControl*>(region + response_ring_offset(c));
        tail[c] = req_ctl[c]->tail;
        head[c] = rsp_ctl[c]->head;
    }
    for (int k = 0; k < 4;) {
        uint32_t c = 0;
        while (c < CALLERS && req_ctl[c]->head == tail[c])
            ++c;
        if (c == CALLERS) {
            usleep(1000);
            continue;
        }
        auto* req_slots = reinterpret_cast<volatile Request*>(region + request_ring_offset(c) +
                                                              RING_SLOTS_OFFSET);
        auto* rsp_slots = reinterpret_cast<volatile Response*>(region + response_ring_offset(c) +
                                                               RING_SLOTS_OFFSET);
        Request r;
        std::memcpy(&r, const_cast<Request*>(&req_slots[tail[c] % SLOTS]), sizeof r);
        req_ctl[c]->tail = ++tail[c];
        Response a{};
        a.seq = r.seq;
        a.op = r.op;
        a.buffer = r.buffer;
        switch (k++) {
        case 0: // a read that returns more than it was asked for, and more data than a buffer holds
            a.result = r.args[1] + 100;
            a.len = 0xFFFFFFFF;
            std::printf("attack: channel: call %u (slot %u): answered with len 0xffffffff\n", r.seq,
                        c);
            break;
        case 1: // the answer to some other call; then nothing: the caller must time out
            a.seq = r.seq + 7;
            std::printf("attack: channel: call %u (slot %u): answered as if it were call %u, then "
                        "silence\n",
                        r.seq, c, a.seq);
            break;
        case 2: // a buffer index of another call and a huge length
            a.buffer = (r.buffer + 1) % BUFFERS;
            a.len = BUFFER_BYTES + 1;
            std::printf("attack: channel: call %u (slot %u): answered in another call's buffer\n",
                        r.seq, c);
            break;
        default: // an impossible ring index: the master must stop using the ring, not read 1000
                 // slots
            std::printf("attack: channel: call %u (slot %u): response ring head moved 1000 slots "
                        "ahead\n",
                        r.seq, c);
            std::fflush(stdout);
            rsp_ctl[c]->head = head[c] + 1000;
            continue;
        }
        std::fflush(stdout);
        std::memcpy(const_cast<Response*>(&rsp_slots[head[c] % SLOTS]), &a, sizeof a);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        rsp_ctl[c]->head = ++head[c];
    }
    std::printf("attack: channel: done\n");
    return 0;
}

int doorbell_storm(long n) {
    for (long i = 0; i < n; ++i) {
        uint64_t rax = vlibos::HC_DOORBELL_NR;
        asm volatile("vmcall" : "+a"(rax) : : "memory");
    }
    std::printf("attack: doorbell: rang %ld times\n", n);
    return 0;
}

} // namespace

int attack_main(int argc, char** argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "ipi") return ipi();
    if (what == "msr") return msr();
    if (what == "devmem") return devmem();
    if (what == "channel") return channel();
    if (what == "doorbell") return doorbell_storm(argc > 2 ? std::atol(argv[2]) : 100000);
    std::fprintf(stderr, "usage: vlibos-attack ipi|msr|devmem|channel|doorbell [N]\n");
    return 64;
}
