# Host tests for kernel/core. Paths are relative to the repository root; student files
# (TODO(labN)) are swapped for their solution overlays according to SOLVED.
kit_host_test(result_test SOURCES kernel/core/tests/result_test.cc kernel/core/result.cc)
kit_host_test(format_test LAB 0 SOURCES kernel/core/tests/format_test.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
kit_host_test(format_parser_test LAB 0 SOURCES kernel/core/tests/format_parser_test.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
kit_host_test(backtrace_test LAB 0 SOURCES kernel/core/tests/backtrace_test.cc kernel/core/backtrace.cc)
