// The kernel's syscall fallback for the calls libos delegates to the Linux slave.
#pragma once

#include <stdint.h>

namespace libos {

/// kern::SyscallFallback: serve system call @p nr with arguments @p args, or -ENOSYS.
int64_t syscall_fallback(uint64_t nr, const uint64_t args[6]);

} // namespace libos
