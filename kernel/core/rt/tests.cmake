kit_host_test(latency_stats_test SOURCES kernel/core/rt/tests/latency_stats_test.cc kernel/core/rt/latency_stats.cc)
