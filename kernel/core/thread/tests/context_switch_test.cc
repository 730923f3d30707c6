// Lab 3 step 2: the context switch and a new thread's first stack, run on the host: the test
// switches between its own stack and threads on stacks of its own, with the student's
// context_switch (assembled for the host) and build_initial_stack. What a suspended thread's
// stack holds is the student's design; only what a thread sees is checked.
#include "core/thread/initial_stack.h"
#include "sched/context_switch.h"

#include <catch2/catch.hpp>
#include <cstring>

using kern::build_initial_stack;

// switch_keeping(save_rsp, next_rsp, out, pattern): load RBX, RBP, R12-R15 with pattern + 1 ..
// pattern + 6, context_switch(save_rsp, next_rsp), and when this thread is resumed store those
// six registers in out[0..5]. Its own callers' registers are kept.
extern "C" void switch_keeping(uint64_t* save_rsp, uint64_t next_rsp, uint64_t* out,
                               uint64_t pattern);
asm(R"(
    .text
    .globl switch_keeping
switch_keeping:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx
    lea 1(%rcx), %rbx
    lea 2(%rcx), %rbp
    lea 3(%rcx), %r12
    lea 4(%rcx), %r13
    lea 5(%rcx), %r14
    lea 6(%rcx), %r15
    call context_switch
    pop %rdx
    mov %rbx, 0(%rdx)
    mov %rbp, 8(%rdx)
    mov %r12, 16(%rdx)
    mov %r13, 24(%rdx)
    mov %r14, 32(%rdx)
    mov %r15, 40(%rdx)
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
)");

namespace {
constexpr size_t STACK = 16384, GUARD = 256;
constexpr uint8_t CANARY = 0xA5;

/// A thread's stack with a guard zone on each side.
struct GuardedStack {
    alignas(16) uint8_t below[GUARD];
    alignas(16) uint8_t stack[STACK];
    alignas(16) uint8_t above[GUARD];
    GuardedStack() {
        memset(below, CANARY, sizeof below);
        memset(stack, 0, sizeof stack);
        memset(above, CANARY, sizeof above);
    }
    bool guards_intact() const {
        for (size_t i = 0; i < GUARD; ++i)
            if (below[i] != CANARY || above[i] != CANARY) return false;
        return true;
    }
    bool holds(uint64_t addr) const {
        return addr >= reinterpret_cast<uint64_t>(stack) &&
               addr < reinterpret_cast<uint64_t>(stack) + STACK;
    }
};

struct Seen {
    void* arg;
    uint64_t frame;      // __builtin_frame_address(0) in fn: RBP after its push rbp
    uint64_t caller_rbp; // the RBP fn was entered with: where a backtrace goes next
    uint64_t local;      // the address of a local of fn
    int runs;
};
Seen g_seen;
uint64_t g_main_rsp, g_thread_rsp;
uint64_t g_out_thread[6];

[[gnu::noinline]] void record_and_return(void* arg) {
    g_seen.arg = arg;
    g_seen.frame = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    g_seen.caller_rbp = *reinterpret_cast<uint64_t*>(__builtin_frame_address(0));
    volatile int local = 0;
    g_seen.local = reinterpret_cast<uint64_t>(&local);
    ++g_seen.runs;
    context_switch(&g_thread_rsp, g_main_rsp);
    __builtin_trap(); // never resumed
}

[[gnu::noinline]] void ping_pong(void*) {
    // Back to the test with other values in every callee-saved register, then once more.
    switch_keeping(&g_thread_rsp, g_main_rsp, g_out_thread, 0xB000);
    ++g_seen.runs;
    context_switch(&g_thread_rsp, g_main_rsp);
    __builtin_trap();
}
} // namespace

namespace {
/// Start a thread on `gs`'s stack, `size` bytes of it, and check what it saw. (Each call needs
/// a stack of its own: AddressSanitizer keeps the abandoned thread's frames poisoned.)
void run_new_thread(GuardedStack& gs, size_t size) {
    INFO("stack size " << size);
    g_seen = {};
    int token = 0;
    uint64_t rsp = build_initial_stack(gs.stack, size, record_and_return, &token);
    REQUIRE(rsp != 0);
    CHECK(gs.holds(rsp));
    CHECK(gs.guards_intact());
    context_switch(&g_main_rsp, rsp);
    REQUIRE(g_seen.runs == 1);
    CHECK(g_seen.arg == &token);
    CHECK(gs.holds(g_seen.local));
    CHECK(g_seen.local < reinterpret_cast<uint64_t>(gs.stack) + size);
    // At fn's entry RSP + 8 is a multiple of 16; its `push rbp` makes RBP a multiple of 16.
    CHECK(g_seen.frame % 16 == 0);
    CHECK(g_seen.caller_rbp == 0);
    CHECK(gs.guards_intact());
    CHECK(gs.holds(g_thread_rsp)); // the thread's saved RSP lies in its stack
}
} // namespace

TEST_CASE(
    "a new thread runs fn(arg) on its own stack, entered as the ABI enters a function, RBP 0") {
    // Stack sizes that are and are not multiples of 16.
    static GuardedStack stacks[4];
    const size_t sizes[4] = {STACK, STACK - 8, STACK - 24, STACK - 40};
    for (int i = 0; i < 4; ++i)
        run_new_thread(stacks[i], sizes[i]);
}

TEST_CASE("switching back and forth keeps every register a call preserves") {
    static GuardedStack gs;
    g_seen = {};
    uint64_t rsp = build_initial_stack(gs.stack, STACK, ping_pong, nullptr);
    REQUIRE(rsp != 0);
    uint64_t out[6] = {};
    switch_keeping(&g_main_rsp, rsp, out, 0xA000); // starts the thread; it switches back
    for (int i = 0; i < 6; ++i) {
        INFO("register " << i << " (rbx, rbp, r12, r13, r14, r15)");
        CHECK(out[i] == 0xA000 + uint64_t(i) + 1);
    }
    switch_keeping(&g_main_rsp, g_thread_rsp, out, 0xC000); // resumes the thread
    for (int i = 0; i < 6; ++i) {
        INFO("the thread's register " << i << " (rbx, rbp, r12, r13, r14, r15)");
        CHECK(g_out_thread[i] == 0xB000 + uint64_t(i) + 1);
    }
    CHECK(g_seen.runs == 1);
    for (int i = 0; i < 6; ++i) {
        INFO("register " << i << " after the second round");
        CHECK(out[i] == 0xC000 + uint64_t(i) + 1);
    }
    CHECK(gs.guards_intact());
}

TEST_CASE("misaligned or too small stacks are refused without a write") {
    static GuardedStack gs;
    CHECK(build_initial_stack(gs.stack + 8, STACK - 16, record_and_return, nullptr) == 0);
    CHECK(build_initial_stack(gs.stack, 0, record_and_return, nullptr) == 0);
    CHECK(build_initial_stack(gs.stack, 8, record_and_return, nullptr) == 0);
    for (size_t i = 0; i < STACK; ++i)
        if (gs.stack[i] != 0) FAIL("a refused stack was written at offset " << i);
    CHECK(gs.guards_intact());
    CHECK(build_initial_stack(gs.stack, STACK, record_and_return, nullptr) != 0);
    CHECK(gs.guards_intact());
}
