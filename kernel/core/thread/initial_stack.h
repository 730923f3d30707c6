// A new thread's first stack (lab 3): what the first context_switch() to the thread finds.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Lab 3: prepare the stack [stack_base, stack_base + stack_size) of a new thread so that the
/// first context_switch() to the returned RSP starts the thread: it calls fn(arg) on that
/// stack, entered as the SysV ABI enters a function (RSP + 8 a multiple of 16, SysV ABI 3.2.2),
/// with RBP = 0 so that a backtrace ends there. fn never returns. Everything written lies
/// inside the stack. Returns 0, writing nothing, if stack_base is not 16-byte aligned or the
/// stack is too small for what you put on it.
uint64_t build_initial_stack(uint8_t* stack_base, size_t stack_size, void (*fn)(void*), void* arg);

} // namespace kern
