# Host tests for kernel/core/mem. Lab 1 executables hold only lab 1 test cases (the ctest
# label is per executable); the infrastructure ones must pass with or without solutions.
kit_host_test(memory_map_test LAB 1 SOURCES kernel/core/mem/tests/memory_map_test.cc
              kernel/core/mem/memory_map.cc kernel/core/result.cc)
kit_host_test(heap_test LAB 1 SOURCES kernel/core/mem/tests/heap_test.cc kernel/core/mem/heap.cc
              kernel/core/result.cc)
kit_host_test(frame_alloc_test LAB 1 SOURCES kernel/core/mem/tests/frame_alloc_test.cc
              kernel/core/mem/frame_alloc.cc kernel/core/mem/memory_map.cc kernel/core/result.cc)
kit_host_test(page_table_test LAB 1 SOURCES kernel/core/mem/tests/page_table_test.cc
              kernel/core/mem/page_table.cc kernel/core/result.cc)
