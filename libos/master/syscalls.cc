// The system calls the master does not implement and the Linux slave serves (SYS_OPEN ..
// SYS_DELEGATE_NOP in kernel/core/abi/syscall.h): user memory in, a delegated call, user
// memory out. Registered as the kernel's syscall fallback by libos.cc.
#include "libos/master/syscalls.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time/clock.h"
#include "core/abi/syscall.h"
#include "libos/master/delegate.h"
#include "proc/process.h"
#include "sched/thread.h"

namespace libos {

using namespace vlibos;
namespace abi = kern::abi;

namespace {

/// Bytes one read or write moves at most: one bulk buffer.
constexpr uint64_t CHUNK = BUFFER_BYTES;

/// Staging buffers for user data on its way to and from the channel, one per call in flight
/// (a 16 KiB buffer does not fit on a kernel stack): as many as the channel has caller slots,
/// so a call never waits for one longer than it would wait for a slot.
struct Staging {
    Staging() {
        for (;;) {
            for (uint32_t i = 0; i < CALLERS; ++i)
                if (!s_taken[i] && !__atomic_exchange_n(&s_taken[i], true, __ATOMIC_ACQUIRE)) {
                    m_index = i;
                    return;
                }
            kern::sleep_until(kern::cpu::rdtsc() + kern::g_clock.tsc_hz / 20000); // 50 us
        }
    }
    ~Staging() { __atomic_store_n(&s_taken[m_index], false, __ATOMIC_RELEASE); }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
    uint8_t* data() { return s_data[m_index]; }

  private:
    alignas(64) static inline uint8_t s_data[CALLERS][BUFFER_BYTES];
    static inline bool s_taken[CALLERS];
    uint32_t m_index = 0;
};

/// Copy a user path; its length with the NUL, or -errno.
int64_t user_path(char (&path)[PATH_MAX_BYTES], uint64_t va) {
    int64_t n = kern::user_copy_string_in(path, va, sizeof path);
    if (n == -1) return -abi::E_FAULT;
    if (n == -2) return -abi::E_NAMETOOLONG;
    return n + 1;
}

int64_t path_call(Op op, uint64_t path_va, const int64_t args[6], void* out = nullptr,
                  uint32_t cap = 0, uint32_t* out_len = nullptr) {
    char path[PATH_MAX_BYTES];
    int64_t n = user_path(path, path_va);
    if (n < 0) return n;
    return delegate(op, args, path, uint32_t(n), out, cap, out_len);
}

} // namespace

int64_t syscall_fallback(uint64_t nr, const uint64_t a[6]) {
    int64_t args[6] = {};
    uint32_t got = 0;
    switch (nr) {
    case abi::SYS_DELEGATE_NOP:
        return delegate(OP_NOP, args, nullptr, 0, nullptr, 0, nullptr);
    case abi::SYS_OPEN:
        args[0] = int64_t(a[1]);
        args[1] = int64_t(a[2]);
        return path_call(OP_OPEN, a[0], args);
    case abi::SYS_CLOSE:
        args[0] = int64_t(a[0]);
        return delegate(OP_CLOSE, args, nullptr, 0, nullptr, 0, nullptr);
    case abi::SYS_READ: {
        Staging st;
        uint8_t* data = st.data();
        uint64_t count = a[2] < CHUNK ? a[2] : CHUNK;
        args[0] = int64_t(a[0]);
        args[1] = int64_t(count);
        int64_t r = delegate(OP_READ, args, nullptr, 0, data, uint32_t(count), &got);
        if (r > 0 && !kern::user_copy_out(a[1], data, got)) return -abi::E_FAULT;
        return r;
    }
    case abi::SYS_WRITE: {
        Staging st;
        uint8_t* data = st.data();
        uint64_t count = a[2] < CHUNK ? a[2] : CHUNK;
        if (!kern::user_copy_in(data, a[1], count)) return -abi::E_FAULT;
        args[0] = int64_t(a[0]);
        args[1] = int64_t(count);
        return delegate(OP_WRITE, args, data, uint32_t(count), nullptr, 0, nullptr);
    }
    case abi::SYS_LSEEK:
        args[0] = int64_t(a[0]);
        args[1] = int64_t(a[1]);
        args[2] = int64_t(a[2]);
        return delegate(OP_LSEEK, args, nullptr, 0, nullptr, 0, nullptr);
    case abi::SYS_STAT: {
        StatResult s{};
        int64_t r = path_call(OP_STAT, a[0], args, &s, sizeof s, &got);
        if (r < 0) return r;
        abi::StatAbi out{s.size, s.mode, s.nlink, s.mtime_sec};
        return kern::user_copy_out(a[1], &out, sizeof out) ? 0 : -abi::E_FAULT;
    }
    case abi::SYS_UNLINK:
        return path_call(OP_UNLINK, a[0], args);
    case abi::SYS_MKDIR:
        args[0] = int64_t(a[1]);
        return path_call(OP_MKDIR, a[0], args);
    case abi::SYS_READDIR: {
        Staging st;
        uint8_t* data = st.data();
        args[0] = int64_t(a[3]);
        uint32_t cap = a[2] < CHUNK ? uint32_t(a[2]) : uint32_t(CHUNK);
        int64_t r = path_call(OP_READDIR, a[0], args, data, cap, &got);
        if (r >= 0 && !kern::user_copy_out(a[1], data, got)) return -abi::E_FAULT;
        return r;
    }
    case abi::SYS_RUN: {
        Staging st;
        uint8_t* data = st.data();
        char cmd[PATH_MAX_BYTES];
        int64_t n = user_path(cmd, a[0]);
        if (n < 0) return n;
        uint32_t cap = a[2] < CHUNK ? uint32_t(a[2]) : uint32_t(CHUNK);
        int64_t r = delegate(OP_RUN, args, cmd, uint32_t(n), data, cap, &got);
        uint64_t got64 = got;
        if (r >= 0 && (!kern::user_copy_out(a[1], data, got) ||
                       (a[3] && !kern::user_copy_out(a[3], &got64, 8))))
            return -abi::E_FAULT;
        return r;
    }
    case abi::SYS_SOCKET:
    case abi::SYS_BIND:
    case abi::SYS_LISTEN:
    case abi::SYS_CONNECT:
    case abi::SYS_ACCEPT: {
        static constexpr Op OPS[] = {OP_SOCKET, OP_BIND, OP_LISTEN, OP_CONNECT, OP_ACCEPT};
        args[0] = int64_t(a[0]);
        args[1] = int64_t(a[1]);
        return delegate(OPS[nr - abi::SYS_SOCKET], args, nullptr, 0, nullptr, 0, nullptr);
    }
    default:
        return -abi::E_NOSYS;
    }
}

} // namespace libos
