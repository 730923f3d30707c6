// Frame-pointer backtraces: the part of panic() that lab 0 asks you to write.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Reads the 8-byte word at `addr` into `*out`; returns false if it cannot be read. The kernel
/// passes a fault-tolerant probe (arch/x86_64/probe.h), host tests a fake stack.
using ReadWord = bool (*)(uint64_t addr, uint64_t* out);

/// Walk the chain of saved frame pointers starting at `rbp` and store up to `max` return
/// addresses in `rips`, innermost caller first. Returns how many were stored.
size_t walk_frames(uint64_t rbp, ReadWord read, uint64_t* rips, size_t max);

} // namespace kern
