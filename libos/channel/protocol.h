// The vLibOS delegation protocol: the shared-memory channel between the master (libos/master)
// and vlibosd in the Linux slave (libos/daemon). Both sides include this file: freestanding C++
// (the master kernel) and hosted C++ (the static daemon), so it uses nothing but <stdint.h> and
// <stddef.h>. Everything is little-endian and at fixed offsets; neither side trusts the other.
//
// The region (CHANNEL_BYTES, mapped in the master at its host-physical address and in the
// slave, through EPT, at an e820-reserved guest-physical range that vlibosd maps via /dev/mem):
//
//   0x00000  ChannelHeader        magic, version, geometry, who is up, doorbell counters, and
//   0x01000  caller slot 0        its request ring (master -> slave) at +0, its response ring
//   0x07000  caller slot 1        (slave -> master) at +0x3000: RingControl (producer and
//   ...                           consumer indices, each on its own cache line), then SLOTS slots
//   0x100000 bulk buffers         BUFFERS x BUFFER_BYTES: paths, data read or written; caller
//                                 slot c owns BUFFERS_PER_CALLER of them, from c * that
//
// Several master threads delegate at once, each through a caller slot of its own for the
// length of its call: its own pair of single-producer single-consumer rings, its own buffers
// and its own sequence numbers, so callers share nothing but the daemon. A call: the master
// takes a free caller slot c and one of c's buffers b, writes its payload there, pushes a
// Request {seq, op, buffer = b, len, args} on c's request ring; the daemon pops it, validates
// every field (b must be c's), does the work (a call that may block in a worker thread of its
// own, so that it delays no other caller), writes data back into buffer b, pushes a Response
// {seq, status, len} on c's response ring. The master matches seq, validates the response
// against what it asked for, copies data out, frees c.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vlibos {

/// "VLOS", little endian.
inline constexpr uint32_t CHANNEL_MAGIC = 0x534F4C56;
/// Bumped when a layout or a message changes incompatibly; both sides refuse another version.
inline constexpr uint32_t CHANNEL_VERSION = 5;

/// Geometry.
/// @{
inline constexpr uint64_t CHANNEL_BYTES = 2ull << 20;    ///< the whole region: one 2 MiB page
inline constexpr uint32_t CALLERS = 8;                   ///< caller slots: calls in flight at once
inline constexpr uint32_t SLOTS = 64;                    ///< slots per ring (a power of two)
inline constexpr uint32_t SLOT_BYTES = 128;              ///< bytes per message slot
inline constexpr uint32_t BUFFERS = 64;                  ///< bulk buffers
inline constexpr uint32_t BUFFER_BYTES = 16384;          ///< bytes per bulk buffer
inline constexpr uint64_t HEADER_OFFSET = 0x0;           ///< ChannelHeader
inline constexpr uint64_t CALLERS_OFFSET = 0x1000;       ///< caller slot 0's rings
inline constexpr uint64_t CALLER_STRIDE = 0x6000;        ///< from one caller slot to the next
inline constexpr uint64_t REQUEST_RING_OFFSET = 0x0;     ///< in a caller slot: request ring
inline constexpr uint64_t RESPONSE_RING_OFFSET = 0x3000; ///< in a caller slot: response ring
inline constexpr uint64_t RING_SLOTS_OFFSET = 0x80;      ///< slots start after the two index lines
inline constexpr uint64_t BUFFERS_OFFSET = 0x100000;     ///< bulk buffers
inline constexpr uint32_t PATH_MAX_BYTES = 1024;         ///< longest path, including its NUL
/// @}
/// Bulk buffers per caller slot.
inline constexpr uint32_t BUFFERS_PER_CALLER = BUFFERS / CALLERS;
static_assert((SLOTS & (SLOTS - 1)) == 0, "ring indices wrap with a mask");
static_assert(RING_SLOTS_OFFSET + SLOTS * SLOT_BYTES <= RESPONSE_RING_OFFSET - REQUEST_RING_OFFSET,
              "rings overlap");
static_assert(RESPONSE_RING_OFFSET + RING_SLOTS_OFFSET + SLOTS * SLOT_BYTES <= CALLER_STRIDE,
              "caller slots overlap");
static_assert(CALLERS_OFFSET + CALLERS * CALLER_STRIDE <= BUFFERS_OFFSET,
              "caller slots overlap the buffers");
static_assert(BUFFERS_OFFSET + uint64_t(BUFFERS) * BUFFER_BYTES <= CHANNEL_BYTES,
              "buffers overflow the region");
static_assert(BUFFERS_PER_CALLER >= 1 && BUFFERS_PER_CALLER * CALLERS == BUFFERS);

/// Offset in the region of caller slot @p caller's request ring.
constexpr uint64_t request_ring_offset(uint32_t caller) {
    return CALLERS_OFFSET + uint64_t(caller) * CALLER_STRIDE + REQUEST_RING_OFFSET;
}
/// Offset in the region of caller slot @p caller's response ring.
constexpr uint64_t response_ring_offset(uint32_t caller) {
    return CALLERS_OFFSET + uint64_t(caller) * CALLER_STRIDE + RESPONSE_RING_OFFSET;
}
/// Whether bulk buffer @p buffer belongs to caller slot @p caller (false for any index out of
/// range).
constexpr bool caller_owns_buffer(uint32_t caller, uint32_t buffer) {
    return caller < CALLERS && buffer < BUFFERS && buffer / BUFFERS_PER_CALLER == caller;
}

/// The channel's first page. The master writes it once (magic last) before the slave boots.
struct ChannelHeader {
    uint32_t magic;         ///< CHANNEL_MAGIC once initialised
    uint32_t version;       ///< CHANNEL_VERSION
    uint32_t callers;       ///< CALLERS
    uint32_t slots;         ///< SLOTS
    uint32_t slot_bytes;    ///< SLOT_BYTES
    uint32_t buffers;       ///< BUFFERS
    uint32_t buffer_bytes;  ///< BUFFER_BYTES
    uint32_t daemon_up;     ///< set by vlibosd when it serves (its pid), 0 before and after
    uint32_t doorbell_mode; ///< DoorbellMode the master wants the daemon to use
    uint64_t daemon_polls;  ///< times the daemon found the request ring empty (statistics)
    uint64_t doorbells;     ///< doorbells the daemon rang (statistics)
    uint32_t daemon_wait;   ///< DaemonWait: how vlibosd waits for requests (set by vlibosd)
    /// 1 while vlibosd blocks until it is woken (DAEMON_WAIT_WOKEN). Set by the daemon before it
    /// looks at the request ring a last time and blocks; cleared by the master when it pushes a
    /// request and wakes it. Each side writes, then fences, then reads the other's index or flag,
    /// so a request is never left unseen with the daemon asleep.
    uint32_t daemon_asleep;
    uint64_t sleeps;  ///< times the daemon blocked (statistics)
    uint64_t wakeups; ///< wake-ups the master sent (statistics)
};
static_assert(sizeof(ChannelHeader) <= CALLERS_OFFSET);

/// How vlibosd waits when the request ring is empty.
enum DaemonWait : uint32_t {
    DAEMON_WAIT_POLL =
        0, ///< it sleeps vlibos.poll_us between looks (or busy-polls: vlibos.spin=-1)
    DAEMON_WAIT_WOKEN = 1, ///< it blocks in read() on its console tty; the master wakes it through
                           ///< the UART's receive interrupt (hv::linux_slave_wake)
};

/// The doorbell hypercall: VMCALL with RAX = this number, from the daemon (CPL 3 allowed for
/// this one call: it carries no argument and only makes the master look at the channel). The
/// hypervisor's numbering (hypervisor/core/hypercall.h) must agree; libos/master checks it.
inline constexpr uint64_t HC_DOORBELL_NR = 16;

/// How the slave tells the master that responses are ready.
enum DoorbellMode : uint32_t {
    DOORBELL_NONE = 0,  ///< the master polls the response ring
    DOORBELL_VMCALL = 1 ///< the daemon executes VMCALL(HC_DOORBELL) after pushing responses
};

/// A ring's indices: free-running 32-bit counters (slot = index % SLOTS), each on its own
/// cache line so that producer and consumer never write the same line.
struct RingControl {
    alignas(64) volatile uint32_t head; ///< written by the producer only: next slot it fills
    alignas(64) volatile uint32_t tail; ///< written by the consumer only: next slot it reads
};
static_assert(sizeof(RingControl) == 128 && RING_SLOTS_OFFSET == sizeof(RingControl));
static_assert(offsetof(RingControl, head) == 0 && offsetof(RingControl, tail) == 64,
              "each index on a cache line of its own");

/// Operations.
enum Op : uint16_t {
    OP_NOP = 0,      ///< () -> 0: the null call, for measuring the round trip
    OP_OPEN = 1,     ///< (path in buffer, flags, mode) -> fd
    OP_CLOSE = 2,    ///< (fd) -> 0
    OP_READ = 3,     ///< (fd, count) -> bytes, data in buffer
    OP_WRITE = 4,    ///< (fd, data in buffer, len) -> bytes written
    OP_LSEEK = 5,    ///< (fd, offset, whence) -> new offset
    OP_STAT = 6,     ///< (path in buffer) -> 0, a StatResult in buffer
    OP_UNLINK = 7,   ///< (path in buffer) -> 0
    OP_MKDIR = 8,    ///< (path in buffer, mode) -> 0
    OP_READDIR = 9,  ///< (path in buffer, skip) -> entries returned, NUL-separated names in buffer
    OP_RUN = 10,     ///< (command line in buffer) -> exit status; its output (truncated) in buffer
    OP_SOCKET = 11,  ///< (type: 1 stream, 2 datagram) -> fd of an IPv4 socket (AF_INET)
    OP_BIND = 12,    ///< (fd, port): bind to 127.0.0.1:port
    OP_LISTEN = 13,  ///< (fd, backlog) -> 0
    OP_CONNECT = 14, ///< (fd, port): connect to 127.0.0.1:port
    OP_ACCEPT = 15,  ///< (fd) -> fd of the accepted connection (blocks its caller until one comes)
    OP_COUNT = 16,   ///< one past the last operation
};

/// Open flags as the master's applications pass them: Linux's values (fcntl.h), so the daemon
/// passes them on after masking to these.
inline constexpr int64_t OPEN_FLAGS_ALLOWED = 03 /* O_ACCMODE */ | 0100 /* O_CREAT */ |
                                              01000 /* O_TRUNC */ | 02000 /* O_APPEND */ |
                                              0200 /* O_EXCL */ | 0200000 /* O_DIRECTORY */;

/// A request slot (master -> slave).
struct Request {
    uint32_t seq;    ///< the master's sequence number, echoed in the response
    uint16_t op;     ///< Op
    uint16_t flags;  ///< 0 (reserved)
    uint32_t buffer; ///< bulk buffer index, < BUFFERS
    uint32_t len;    ///< payload bytes in the buffer (path with its NUL, or data to write)
    int64_t args[6]; ///< operation arguments
    uint8_t pad[SLOT_BYTES - 16 - 6 * 8]; ///< to SLOT_BYTES
};
static_assert(sizeof(Request) == SLOT_BYTES && offsetof(Request, args) == 16);

/// A response slot (slave -> master).
struct Response {
    uint32_t seq;    ///< the request's seq
    uint16_t op;     ///< the request's op
    uint16_t flags;  ///< 0 (reserved)
    uint32_t buffer; ///< the request's buffer
    uint32_t len;    ///< bytes of result data in the buffer
    int64_t result;  ///< >= 0: the operation's result; < 0: -errno (Linux numbering)
    int64_t aux[4];  ///< operation-specific extras (0 unless documented)
    /// The CPU time Linux spent on this call, in nanoseconds: the serving thread's CPU clock,
    /// plus a RUN's processes'. In dedicated mode the master charges it to the caller's budget,
    /// at most the wall time the caller waited (vlibosd may lie; too little only costs the
    /// master's caller less, on a CPU that is the slave's anyway).
    uint64_t service_ns;
    uint8_t pad[SLOT_BYTES - 24 - 5 * 8]; ///< to SLOT_BYTES
};
static_assert(sizeof(Response) == SLOT_BYTES && offsetof(Response, result) == 16);

/// OP_STAT's result, in the buffer.
struct StatResult {
    uint64_t size;     ///< bytes
    uint32_t mode;     ///< st_mode (type and permission bits, Linux values)
    uint32_t nlink;    ///< links
    int64_t mtime_sec; ///< modification time, seconds since the epoch
};

/// Error numbers used by the protocol itself (Linux's values; a result is -errno).
enum ChannelErrno : int64_t {
    CE_NOENT = 2,
    CE_IO = 5,
    CE_BADF = 9,
    CE_FAULT = 14,
    CE_INVAL = 22,
    CE_MFILE = 24, ///< too many open files
    CE_NAMETOOLONG = 36,
    CE_NOSYS = 38,
    CE_PROTO = 71,     ///< a malformed message
    CE_TIMEDOUT = 110, ///< the other side did not answer in time
    CE_NOTCONN = 107,  ///< the daemon is not up (or died)
    CE_ACCES = 13,     ///< not allowed (e.g. a socket type other than TCP or UDP over IPv4)
};

} // namespace vlibos
