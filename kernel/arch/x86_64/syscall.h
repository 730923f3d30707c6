// Per-CPU set-up of the SYSCALL instruction.
#pragma once

namespace kern {
/// Enable SYSCALL/SYSRET on this CPU and point it at syscall_entry.S.
void syscall_init_cpu();
} // namespace kern
