# Host tests for kernel/core/console (infrastructure: no lab). Paths are relative to the
# repository root.
kit_host_test(text_grid_test SOURCES kernel/core/console/tests/text_grid_test.cc
              kernel/core/console/text_grid.cc)
kit_host_test(fb_console_test SOURCES kernel/core/console/tests/fb_console_test.cc
              kernel/core/console/fb_console.cc kernel/core/console/font8x16.cc kernel/core/result.cc)
