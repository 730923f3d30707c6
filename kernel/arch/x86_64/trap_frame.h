// The register image that every trap stub (trap_entry.S) builds on the stack before calling
// trap_dispatch(). Its layout is tied to the assembly by the static_asserts below.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Saved state of an interrupted context, lowest address first.
struct TrapFrame {
    /// @{
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8; ///< pushed by the stub
    /// @}
    /// @{
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax; ///< pushed by the stub
    /// @}
    uint64_t vector;     ///< pushed by the per-vector stub
    uint64_t error_code; ///< by the CPU, or 0 pushed by the stub
    /// @{
    uint64_t rip, cs, rflags, rsp, ss; ///< pushed by the CPU (SDM Vol 3A 7.14.2)
    /// @}
};
static_assert(offsetof(TrapFrame, vector) == 15 * 8, "trap_entry.S pushes 15 GPRs");
static_assert(offsetof(TrapFrame, rip) == 17 * 8);
static_assert(sizeof(TrapFrame) == 22 * 8);

} // namespace kern
