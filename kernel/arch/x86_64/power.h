// Ending a run: under an emulator the kernel exits it with a status, on a real PC it halts.
#pragma once

namespace kern {

/// Outcome of a run as the runner sees it.
enum class ExitStatus { success = 0, failure = 1 };

/// Enable emulator exits (kernel command line `exit=emu`, set by the project's runners).
void machine_exit_enable_emulator(bool enable);

/// Print `@@ exit code=N`, then: under QEMU write to isa-debug-exit (port 0xF4; QEMU exits with
/// status 2*value+1), under Bochs write "Shutdown" to port 0x8900; if still running (a real PC,
/// or `exit=emu` not given) halt every CPU forever.
[[noreturn]] void machine_exit(ExitStatus status);

} // namespace kern
