// hello: the smallest master application, and a check of the system-call boundary: bad
// pointers, bad lengths and unknown numbers come back as error codes.
#include "vos.h"

using namespace kern::abi;

int app_main(const char* args) {
    vos::printf("hello from user mode: args '%s', %u CPU(s), TSC %lu Hz\n", args, vos::cpu_count(),
                vos::tsc_hz());
    int failures = 0;
    auto expect = [&](const char* what, int64_t got, int64_t want) {
        bool ok = got == want;
        failures += ok ? 0 : 1;
        vos::printf("hello: %-40s %s (got %ld)\n", what, ok ? "ok" : "WRONG", got);
    };
    expect("write from a NULL pointer", vos::syscall(SYS_WRITE_CONSOLE, 0, 16), -E_FAULT);
    expect("write from a kernel address", vos::syscall(SYS_WRITE_CONSOLE, 0x100000, 16), -E_FAULT);
    expect("write with a huge length", vos::syscall(SYS_WRITE_CONSOLE, USER_BASE, ~0ull), -E_INVAL);
    expect("unknown system call 63", vos::syscall(63), -E_NOSYS);
    expect("system call number 2^40", vos::syscall(1ull << 40), -E_NOSYS);
    expect("VCPU with budget > period", vos::vcpu_create(2000, 1000, 0), -E_NOSPC);
    expect("VCPU with period 0", vos::vcpu_create(0, 0, 0), -E_NOSPC);
    vos::report_test("user_syscall_validation", failures == 0);
    return failures;
}
