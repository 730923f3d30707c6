// The boot stages after the CPU tables: memory (lab 1), interrupts, time and SMP (lab 2), threads
// (labs 3, 4).
#pragma once

namespace kern {
/// Run the remaining boot stages in order; after each, `after_stage(suite)` lets the test
/// runner run the in-kernel tests of the lab that stage completes.
void boot_stages_run(void (*after_stage)(const char* suite));
} // namespace kern
