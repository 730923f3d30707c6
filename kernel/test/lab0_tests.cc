// Lab 0 in-kernel tests: the lab-0 code compiled with the kernel's flags and run on the
// (emulated) machine, where the host tests cannot reach: real stack frames, real kprintf.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/probe.h"
#include "core/backtrace.h"
#include "core/format.h"
#include "lib/string.h"
#include "test/ktest.h"

namespace {

bool expect_format(kern::KTestContext& t, const char* expected, const char* fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    kern::vsnformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (strcmp(buf, expected) != 0) {
        t.fail("format \"%s\" gave \"%s\", expected \"%s\"", fmt, buf, expected);
        return false;
    }
    return true;
}

bool probe_reader(uint64_t addr, uint64_t* out) {
    return probe_read_u64(reinterpret_cast<const volatile uint64_t*>(addr), out);
}

// A known call chain: outer -> middle -> inner. Each level records the return address the CPU
// pushed, which is what a correct walk must find, in order.
uint64_t g_expected[3];
uint64_t g_found[8];
size_t g_found_count;

[[gnu::noinline]] void inner() {
    g_expected[0] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    g_found_count = kern::walk_frames(kern::cpu::read_rbp(), probe_reader, g_found, 8);
    asm volatile("" ::: "memory");
}
[[gnu::noinline]] void middle() {
    g_expected[1] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    inner();
    asm volatile("" ::: "memory");
}
[[gnu::noinline]] void outer() {
    g_expected[2] = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    middle();
    asm volatile("" ::: "memory");
}

} // namespace

KTEST(lab0, kprintf_decimal) {
    expect_format(t, "42|   42|42   |00042|-42|+7", "%d|%5d|%-5d|%05d|%d|%+d", 42, 42, 42, 42, -42,
                  7) &&
        expect_format(t, "18446744073709551615", "%lu", ~0UL) &&
        expect_format(t, "-9223372036854775808", "%ld", -9223372036854775807L - 1);
}

KTEST(lab0, kprintf_hex_and_pointers) {
    expect_format(t, "ff|FF|0xff|0x000000ff|377", "%x|%X|%#x|%#010x|%o", 255u, 255u, 255u, 255u,
                  255u) &&
        expect_format(t, "0x00000000001000f0", "%p", reinterpret_cast<void*>(0x1000f0)) &&
        expect_format(t, "0b1011", "%#b", 11u);
}

KTEST(lab0, backtrace_walks_real_frames) {
    outer();
    KREQUIRE(g_found_count >= 3);
    for (int i = 0; i < 3; ++i) {
        if (g_found[i] != g_expected[i]) {
            t.fail("frame %d: found return address %p, the CPU pushed %p", i,
                   reinterpret_cast<void*>(g_found[i]), reinterpret_cast<void*>(g_expected[i]));
            return;
        }
    }
}

KTEST(lab0, backtrace_survives_a_corrupt_frame_pointer) {
    uint64_t rips[4];
    // An unmapped, non-canonical frame pointer: the walk must stop without faulting.
    KCHECK(kern::walk_frames(0x8000000000000000ull, probe_reader, rips, 4) == 0);
    // A frame that links to itself must not loop; it yields at most one entry.
    alignas(16) uint64_t self_frame[2];
    self_frame[0] = reinterpret_cast<uint64_t>(&self_frame[0]);
    self_frame[1] = 0x1234;
    size_t n = kern::walk_frames(reinterpret_cast<uint64_t>(self_frame), probe_reader, rips, 4);
    KCHECK(n == 1);
    KCHECK(n >= 1 && rips[0] == 0x1234);
}
