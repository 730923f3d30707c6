// vlibos-busy S: keep the slave's CPU busy for S seconds (of the slave's clock): compute, and
// create and reap a child process now and then, so Linux's scheduler, timer and page-fault
// paths run too. Prints how much work was done.
#include "programs.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {
double now() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}
} // namespace

int busy_main(int argc, char** argv) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    double start = now();
    uint64_t x = 88172645463325252ull, rounds = 0, children = 0;
    while (now() - start < seconds) {
        for (int i = 0; i < 10000; ++i) { // xorshift: work the compiler cannot remove
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        if (++rounds % 50 == 0) {
            pid_t p = fork();
            if (p == 0) _exit(int(x & 1));
            if (p > 0 && waitpid(p, nullptr, 0) == p) ++children;
        }
    }
    std::printf("vlibos-busy: %.1f s busy: %llu rounds, %llu child processes (%llx)\n",
                now() - start, (unsigned long long)rounds, (unsigned long long)children,
                (unsigned long long)(x & 0xFFFF));
    return 0;
}
