# Host tests for kernel/core/console. Paths are relative to the repository root. The text grid
# and the font are infrastructure; the framebuffer console is lab 0's, step 4.
kit_host_test(text_grid_test SOURCES kernel/core/console/tests/text_grid_test.cc
              kernel/core/console/text_grid.cc)
kit_host_test(font_test SOURCES kernel/core/console/tests/font_test.cc kernel/core/console/font8x16.cc)
kit_host_test(fb_console_test LAB 0 SOURCES kernel/core/console/tests/fb_console_test.cc
              kernel/core/console/fb_console.cc kernel/core/console/font8x16.cc kernel/core/result.cc)
