// bench: costs seen from user mode, as `@@ metric=` lines: a system-call round trip (SYS_TIME,
// the cheapest call) and a yield between two threads of one process.
#include "vos.h"

namespace {
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}
constexpr int N = 1000;
alignas(16) uint8_t g_stack[16384];
volatile int g_turn;
volatile bool g_done;

void partner(void*) {
    for (int i = 0; i < N; ++i) {
        while (g_turn != 1)
            vos::syscall(kern::abi::SYS_YIELD);
        g_turn = 0;
    }
    g_done = true;
}
} // namespace

int app_main(const char*) {
    uint64_t t0 = rdtsc();
    for (int i = 0; i < N; ++i)
        vos::syscall(kern::abi::SYS_TIME);
    uint64_t per_call = (rdtsc() - t0) / N;
    vos::printf("bench: system call round trip %lu cycles\n", per_call);
    vos::printf("@@ metric=syscall_round_trip value=%lu unit=cycles\n", per_call);

    g_turn = 0;
    vos::thread_create(partner, nullptr, g_stack + sizeof g_stack, ~0ull);
    t0 = rdtsc();
    for (int i = 0; i < N; ++i) {
        while (g_turn != 0)
            vos::syscall(kern::abi::SYS_YIELD);
        g_turn = 1;
    }
    while (!g_done)
        vos::syscall(kern::abi::SYS_YIELD);
    uint64_t per_round = (rdtsc() - t0) / N;
    vos::printf("bench: yield round trip between two user threads %lu cycles\n", per_round);
    vos::printf("@@ metric=user_yield_round_trip value=%lu unit=cycles\n", per_round);
    return 0;
}
