// Lab 3 solution: a new thread's first stack frame (see core/thread/initial_stack.h).
#include "core/thread/initial_stack.h"

namespace kern {

uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, uint64_t start, uint64_t fn,
                             uint64_t arg) {
    uint64_t base = reinterpret_cast<uint64_t>(stack_base);
    if (base % 16 || stack_size < sizeof(SwitchFrame) + 16) return 0;
    // After `ret` pops rip, RSP = frame + sizeof(SwitchFrame) must be 16-aligned: put that
    // point at the highest 16-aligned address within the stack.
    uint64_t after_ret = (base + stack_size) & ~uint64_t(15);
    auto* f = reinterpret_cast<SwitchFrame*>(after_ret - sizeof(SwitchFrame));
    *f = SwitchFrame{};
    f->r12 = arg;
    f->r13 = fn;
    f->rip = start;
    return reinterpret_cast<uint64_t>(f);
}

} // namespace kern
