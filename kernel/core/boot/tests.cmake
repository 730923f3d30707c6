kit_host_test(multiboot2_test SOURCES kernel/core/boot/tests/multiboot2_test.cc kernel/core/boot/multiboot2.cc)
kit_host_test(cmdline_test SOURCES kernel/core/boot/tests/cmdline_test.cc kernel/core/boot/cmdline.cc kernel/core/boot/boot_names.cc)
kit_host_test(boot_names_test SOURCES kernel/core/boot/tests/boot_names_test.cc kernel/core/boot/boot_names.cc)
