// The first stack frame of a new thread: what context_switch() pops the first time it switches
// to the thread (lab 3).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// What context_switch() saves on the stack of a thread that is not running, lowest address
/// first (it pushes rbp, rbx, r12..r15 and the stack then holds its return address). The
/// layout is the contract between build_initial_stack() and context_switch.S.
struct SwitchFrame {
    /// @{
    uint64_t r15, r14, r13, r12, rbx, rbp; ///< callee-saved registers (SysV ABI 3.2.1)
    /// @}
    uint64_t rip; ///< where context_switch's `ret` goes
};
static_assert(sizeof(SwitchFrame) == 56);

/// Prepare the stack [stack_base, stack_base + stack_size) of a new thread so that the first
/// context_switch() to it "returns" to `start` with r12 = `arg` and r13 = `fn` (start then
/// calls fn(arg)), rbp = 0 (ends backtraces) and the other registers 0. After that `ret`, RSP
/// must be 16-byte aligned, since `start` calls a C++ function (SysV ABI 3.2.2). Returns the
/// initial saved RSP (the address of the SwitchFrame), or 0 if the stack is smaller than one
/// frame or misaligned (stack_base % 16 != 0).
uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, uint64_t start, uint64_t fn,
                             uint64_t arg);

} // namespace kern
