// Lab 3: the first stack frame of a new thread.
#include "core/thread/initial_stack.h"

#include <catch2/catch.hpp>

using namespace kern;

TEST_CASE("initial frame: registers, return address and alignment", "[lab3]") {
    alignas(16) static uint8_t stack[4096];
    for (size_t size : {size_t(4096), size_t(4000), size_t(4088)}) {
        uint64_t rsp = build_initial_stack(stack, size, 0x1111, 0x2222, 0x3333);
        INFO("stack size " << size);
        REQUIRE(rsp != 0);
        auto* f = reinterpret_cast<SwitchFrame*>(rsp);
        CHECK(f->rip == 0x1111);
        CHECK(f->r13 == 0x2222);
        CHECK(f->r12 == 0x3333);
        CHECK(f->rbp == 0);
        CHECK(f->rbx == 0);
        CHECK(f->r14 == 0);
        CHECK(f->r15 == 0);
        // After popping 6 registers and the return address, RSP is 16-byte aligned.
        CHECK((rsp + sizeof(SwitchFrame)) % 16 == 0);
        // Everything lies inside the stack.
        CHECK(rsp >= reinterpret_cast<uint64_t>(stack));
        CHECK(rsp + sizeof(SwitchFrame) <= reinterpret_cast<uint64_t>(stack) + size);
        // Little waste: the frame sits at the top.
        CHECK(reinterpret_cast<uint64_t>(stack) + size - (rsp + sizeof(SwitchFrame)) < 16);
    }
}

TEST_CASE("initial frame: too small or misaligned stacks are refused", "[lab3]") {
    alignas(16) static uint8_t stack[256];
    CHECK(build_initial_stack(stack, 32, 1, 2, 3) == 0);
    CHECK(build_initial_stack(stack + 8, 200, 1, 2, 3) == 0);
    CHECK(build_initial_stack(stack, 256, 1, 2, 3) != 0);
}
