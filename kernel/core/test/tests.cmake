# Host tests for the grader's table of expected tests (kernel/core/test).
kit_host_test(test_table_test SOURCES kernel/core/test/tests/test_table_test.cc kernel/core/test/test_table.cc)
