# Host tests for kernel/core. Paths are relative to the repository root; student files
# (TODO(labN)) are swapped for their solution overlays according to SOLVED.
kit_host_test(result_test SOURCES kernel/core/tests/result_test.cc kernel/core/result.cc)
