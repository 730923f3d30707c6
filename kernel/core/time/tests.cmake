kit_host_test(calibrate_test LAB 2 SOURCES kernel/core/time/tests/calibrate_test.cc kernel/core/time/calibrate.cc)
