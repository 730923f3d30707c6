// The master's system-call ABI, shared by the kernel and master applications (apps/).
//
// Calling convention (like Linux x86-64): SYSCALL with the number in RAX and arguments in RDI,
// RSI, RDX, R10, R8, R9; the result comes back in RAX. RCX and R11 are clobbered by the
// instruction itself (SDM Vol 2B, SYSCALL). A negative result is -errno (values below).
#pragma once

#include <stdint.h>

namespace kern::abi {

/// System-call numbers. Numbers the master does not implement return -ENOSYS, unless a
/// delegation layer (libos/) has registered to serve them through the Linux slave.
enum Syscall : uint64_t {
    SYS_WRITE_CONSOLE = 1, ///< (const char* buf, size_t len) -> bytes written
    SYS_TIME = 2,          ///< () -> TSC now
    SYS_TSC_HZ = 3,        ///< () -> calibrated TSC frequency in Hz
    SYS_SLEEP_UNTIL = 4,   ///< (uint64_t tsc_deadline) -> 0
    SYS_THREAD_CREATE =
        5, ///< (void (*fn)(void*), void* arg, void* stack_top, uint64_t vcpu) -> thread id
    SYS_THREAD_EXIT = 6, ///< () -> does not return
    SYS_EXIT = 7,        ///< (int status) -> does not return; ends every thread of the process
    SYS_VCPU_CREATE =
        8, ///< (uint64_t budget_cycles, uint64_t period_cycles, unsigned cpu) -> vcpu handle
    SYS_VCPU_STATS = 9,   ///< (uint64_t vcpu, VcpuStatsAbi* out) -> 0
    SYS_REPORT_MISS = 10, ///< (uint64_t vcpu) -> 0: a thread of this VCPU missed a deadline
    SYS_CPU_COUNT = 11,   ///< () -> CPUs online
    SYS_YIELD = 12,       ///< () -> 0
    SYS_REPORT_TEST = 13, ///< (const char* name, bool pass, const char* reason) -> 0: a test's
                          ///< result for the grader
    /// Delegated to the Linux slave (libos/), -ENOSYS without it. Linux's semantics and errno.
    /// @{
    SYS_OPEN = 20,   ///< (const char* path, int flags, int mode) -> fd
    SYS_CLOSE = 21,  ///< (int fd) -> 0
    SYS_READ = 22,   ///< (int fd, void* buf, size_t count) -> bytes (at most 16 KiB per call)
    SYS_WRITE = 23,  ///< (int fd, const void* buf, size_t count) -> bytes (at most 16 KiB per call)
    SYS_LSEEK = 24,  ///< (int fd, int64_t offset, int whence) -> new offset
    SYS_STAT = 25,   ///< (const char* path, StatAbi* out) -> 0
    SYS_UNLINK = 26, ///< (const char* path) -> 0
    SYS_MKDIR = 27,  ///< (const char* path, int mode) -> 0
    SYS_READDIR =
        28, ///< (const char* path, char* names, size_t cap, size_t skip) -> entries (NUL-separated)
    SYS_RUN = 29, ///< (const char* command, char* out, size_t cap, size_t* out_len) -> exit status
    SYS_DELEGATE_NOP =
        30, ///< () -> 0: a delegated call that does nothing (round-trip measurements)
    SYS_SOCKET =
        31, ///< (int type: 1 stream, 2 datagram) -> fd of an IPv4 socket on the slave's loopback
    SYS_BIND = 32,    ///< (int fd, int port) -> 0: 127.0.0.1:port
    SYS_LISTEN = 33,  ///< (int fd, int backlog) -> 0
    SYS_CONNECT = 34, ///< (int fd, int port) -> 0: to 127.0.0.1:port
    SYS_ACCEPT = 35,  ///< (int fd) -> fd of the accepted connection
    /// @}
    SYS_MAX = 64, ///< numbers at or above this are never valid
};

/// Error values (returned negated), numbered as in Linux so delegated calls need no mapping.
enum Errno : int64_t {
    E_PERM = 1,
    E_NOENT = 2,
    E_FAULT = 14,
    E_INVAL = 22,
    E_NOSPC = 28,
    E_NOSYS = 38,
    E_NOMEM = 12,
    E_AGAIN = 11,
    E_TIMEDOUT = 110,
    E_BADF = 9,
    E_NAMETOOLONG = 36,
    E_NOTCONN = 107,
};

/// What SYS_STAT fills in.
struct StatAbi {
    uint64_t size;     ///< bytes
    uint32_t mode;     ///< type and permission bits (Linux's st_mode)
    uint32_t nlink;    ///< links
    int64_t mtime_sec; ///< modification time, seconds since the epoch
};

/// What SYS_VCPU_STATS fills in.
struct VcpuStatsAbi {
    uint64_t budget;          ///< parameter C, cycles
    uint64_t period;          ///< parameter T, cycles
    uint64_t consumed;        ///< cycles charged so far
    uint64_t overruns;        ///< budget exhaustions with work pending
    uint64_t deadline_misses; ///< reported misses
    uint64_t delegated_wait;  ///< cycles its threads waited for delegated calls
    uint64_t delegated_calls; ///< delegated calls its threads made
    /// Of delegated_wait, cycles charged to its budget: Linux's time on the calls (dedicated
    /// mode).
    uint64_t delegated_charged;
};

/// Lowest and one-past-highest user virtual addresses: PML4 slots 1..255, since slot 0 holds
/// the kernel's identity map of the first 512 GiB (supervisor-only).
inline constexpr uint64_t USER_BASE = 0x0000008000000000ull;
/// One past the highest user address (end of the lower canonical half).
inline constexpr uint64_t USER_END = 0x0000800000000000ull;

} // namespace kern::abi
