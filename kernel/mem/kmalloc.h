// Kernel heap allocation (mem/memory.cc). `new` and `delete` use these. Allocation failure and
// bad frees panic: they are kernel bugs or exhaustion the kernel cannot recover from.
#pragma once

#include <stddef.h>

/// Allocate `size` bytes, 16-byte aligned. Thread-safe. Valid after memory_init().
void* kmalloc(size_t size);
/// Free a block from kmalloc (nullptr is ignored). Thread-safe.
void kfree(void* p);
