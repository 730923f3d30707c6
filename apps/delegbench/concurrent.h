// delegbench's concurrent callers (concurrent.cc).
#pragma once

/// Run the concurrent measurements and tests @p args asks for (concurrent=N, blocked, budget).
int concurrent_main(const char* args);
