// The master applications' library: system calls (kernel/core/abi/syscall.h), formatted
// output (the kernel's own core/format.cc, built again for user mode) and argument parsing.
#pragma once

#include "core/abi/syscall.h"

#include <stddef.h>
#include <stdint.h>

/// The program's main function: `args` is its module string after the program name.
int app_main(const char* args);

namespace vos {

/// Raw system call with up to four arguments.
inline int64_t syscall(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                       uint64_t a3 = 0) {
    int64_t ret;
    register uint64_t r10 asm("r10") = a3;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
                 : "rcx", "r11", "memory");
    return ret;
}

/// Write to the console.
inline int64_t write(const char* s, size_t n) {
    return syscall(kern::abi::SYS_WRITE_CONSOLE, reinterpret_cast<uint64_t>(s), n);
}
/// Tell the kernel a test's result, for the grader: `@@ test=<name> result=pass|fail`. In a
/// graded run the kernel also frames it with the grader's nonce, in the lab's table order.
inline int64_t report_test(const char* name, bool pass, const char* reason = nullptr) {
    return syscall(kern::abi::SYS_REPORT_TEST, reinterpret_cast<uint64_t>(name), pass ? 1 : 0,
                   reinterpret_cast<uint64_t>(reason));
}
/// TSC now.
inline uint64_t now() {
    return uint64_t(syscall(kern::abi::SYS_TIME));
}
/// TSC frequency.
inline uint64_t tsc_hz() {
    return uint64_t(syscall(kern::abi::SYS_TSC_HZ));
}
/// Sleep until the TSC reaches `deadline`.
inline void sleep_until(uint64_t deadline) {
    syscall(kern::abi::SYS_SLEEP_UNTIL, deadline);
}
/// Number of CPUs online.
inline unsigned cpu_count() {
    return unsigned(syscall(kern::abi::SYS_CPU_COUNT));
}
/// Create a VCPU (budget, period in cycles) on `cpu`: a handle >= 0, or -errno.
inline int64_t vcpu_create(uint64_t budget, uint64_t period, unsigned cpu) {
    return syscall(kern::abi::SYS_VCPU_CREATE, budget, period, cpu);
}
/// End the calling thread.
[[noreturn]] void thread_exit();
/// Where a thread function returns to: ends the thread.
extern "C" [[noreturn]] void vos_thread_return();
/// Start a thread running fn(arg) on `stack_top` (16-byte aligned), bound to VCPU `vcpu`
/// (or ~0 for none): its id, or -errno. Returning from fn ends the thread.
inline int64_t thread_create(void (*fn)(void*), void* arg, void* stack_top, uint64_t vcpu) {
    // The kernel starts fn with RSP = stack_top - 8, as if called: put a return address there.
    reinterpret_cast<uint64_t*>(stack_top)[-1] = reinterpret_cast<uint64_t>(&vos_thread_return);
    return syscall(kern::abi::SYS_THREAD_CREATE, reinterpret_cast<uint64_t>(fn),
                   reinterpret_cast<uint64_t>(arg), reinterpret_cast<uint64_t>(stack_top), vcpu);
}
/// Files and commands in the Linux slave, delegated through libos (-ENOSYS without a slave;
/// -ENOTCONN if its daemon is not up; Linux's errno otherwise). Flags and modes are Linux's.
/// @{
inline constexpr int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000,
                     O_APPEND = 02000;
inline int64_t open(const char* path, int flags, int mode = 0644) {
    return syscall(kern::abi::SYS_OPEN, reinterpret_cast<uint64_t>(path), uint64_t(flags),
                   uint64_t(mode));
}
inline int64_t close(int64_t fd) {
    return syscall(kern::abi::SYS_CLOSE, uint64_t(fd));
}
inline int64_t read(int64_t fd, void* buf, size_t n) {
    return syscall(kern::abi::SYS_READ, uint64_t(fd), reinterpret_cast<uint64_t>(buf), n);
}
inline int64_t write(int64_t fd, const void* buf, size_t n) {
    return syscall(kern::abi::SYS_WRITE, uint64_t(fd), reinterpret_cast<uint64_t>(buf), n);
}
inline int64_t lseek(int64_t fd, int64_t offset, int whence) {
    return syscall(kern::abi::SYS_LSEEK, uint64_t(fd), uint64_t(offset), uint64_t(whence));
}
inline int64_t stat(const char* path, kern::abi::StatAbi* out) {
    return syscall(kern::abi::SYS_STAT, reinterpret_cast<uint64_t>(path),
                   reinterpret_cast<uint64_t>(out));
}
inline int64_t unlink(const char* path) {
    return syscall(kern::abi::SYS_UNLINK, reinterpret_cast<uint64_t>(path));
}
inline int64_t mkdir(const char* path, int mode = 0755) {
    return syscall(kern::abi::SYS_MKDIR, reinterpret_cast<uint64_t>(path), uint64_t(mode));
}
/// Run `command` with Linux's /bin/sh: its exit status; its output (truncated to `cap`) in `out`.
inline int64_t run(const char* command, char* out, size_t cap, uint64_t* out_len) {
    return syscall(kern::abi::SYS_RUN, reinterpret_cast<uint64_t>(command),
                   reinterpret_cast<uint64_t>(out), cap, reinterpret_cast<uint64_t>(out_len));
}
/// IPv4 sockets on the slave's loopback (127.0.0.1); read and write them with read()/write().
inline int64_t socket(int type) {
    return syscall(kern::abi::SYS_SOCKET, uint64_t(type));
}
inline int64_t bind(int64_t fd, int port) {
    return syscall(kern::abi::SYS_BIND, uint64_t(fd), uint64_t(port));
}
inline int64_t listen(int64_t fd, int backlog) {
    return syscall(kern::abi::SYS_LISTEN, uint64_t(fd), uint64_t(backlog));
}
inline int64_t connect(int64_t fd, int port) {
    return syscall(kern::abi::SYS_CONNECT, uint64_t(fd), uint64_t(port));
}
inline int64_t accept(int64_t fd) {
    return syscall(kern::abi::SYS_ACCEPT, uint64_t(fd));
}
/// A delegated call that does nothing: its round trip is the channel's cost.
inline int64_t delegate_nop() {
    return syscall(kern::abi::SYS_DELEGATE_NOP);
}
/// @}
/// printf to the console (the kernel's conversions, core/format.h).
[[gnu::format(printf, 1, 2)]] void printf(const char* fmt, ...);
/// The value of `key=value` in `args`, parsed as an unsigned number, or `def` if absent.
uint64_t arg_u64(const char* args, const char* key, uint64_t def);
/// True if the bare word or `word=...` appears in `args`.
bool arg_flag(const char* args, const char* word);

} // namespace vos
