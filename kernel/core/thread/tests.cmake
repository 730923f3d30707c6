kit_host_test(thread_queue_test LAB 3 SOURCES kernel/core/thread/tests/thread_queue_test.cc kernel/core/thread/thread_queue.cc)
kit_host_test(initial_stack_test LAB 3 SOURCES kernel/core/thread/tests/initial_stack_test.cc kernel/core/thread/initial_stack.cc)
