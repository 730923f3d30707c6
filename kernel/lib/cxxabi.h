// C++ runtime support for the kernel.
#pragma once

namespace kern {
/// Call every global constructor (.init_array), once, before any other C++ code runs.
void run_global_constructors();
} // namespace kern
