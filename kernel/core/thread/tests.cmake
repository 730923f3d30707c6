kit_host_test(thread_queue_test LAB 3 SOURCES kernel/core/thread/tests/thread_queue_test.cc kernel/core/thread/thread_queue.cc)
# The context switch runs on the host: the student's assembly, switching the test's threads.
kit_host_test(context_switch_test LAB 3 SOURCES kernel/core/thread/tests/context_switch_test.cc
              kernel/core/thread/initial_stack.cc kernel/arch/x86_64/sched/context_switch.S)
target_compile_options(context_switch_test PRIVATE -fno-omit-frame-pointer)
