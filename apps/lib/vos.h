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
inline int64_t syscall(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
    int64_t ret;
    register uint64_t r10 asm("r10") = a3;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}

/// Write to the console.
inline int64_t write(const char* s, size_t n) {
    return syscall(kern::abi::SYS_WRITE_CONSOLE, reinterpret_cast<uint64_t>(s), n);
}
/// TSC now.
inline uint64_t now() { return uint64_t(syscall(kern::abi::SYS_TIME)); }
/// TSC frequency.
inline uint64_t tsc_hz() { return uint64_t(syscall(kern::abi::SYS_TSC_HZ)); }
/// Sleep until the TSC reaches `deadline`.
inline void sleep_until(uint64_t deadline) { syscall(kern::abi::SYS_SLEEP_UNTIL, deadline); }
/// Number of CPUs online.
inline unsigned cpu_count() { return unsigned(syscall(kern::abi::SYS_CPU_COUNT)); }
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
    return syscall(kern::abi::SYS_THREAD_CREATE, reinterpret_cast<uint64_t>(fn), reinterpret_cast<uint64_t>(arg),
                   reinterpret_cast<uint64_t>(stack_top), vcpu);
}
/// printf to the console (the kernel's conversions, core/format.h).
[[gnu::format(printf, 1, 2)]] void printf(const char* fmt, ...);
/// The value of `key=value` in `args`, parsed as an unsigned number, or `def` if absent.
uint64_t arg_u64(const char* args, const char* key, uint64_t def);
/// True if the bare word or `word=...` appears in `args`.
bool arg_flag(const char* args, const char* word);

} // namespace vos
