# Host tests for hypervisor/core/ept. ept_entry_test is infrastructure (entry and EPTP layouts,
# misconfiguration rules) and must pass with or without solutions; ept_test is lab 6.
kit_host_test(ept_entry_test SOURCES hypervisor/core/ept/tests/ept_entry_test.cc
              kernel/core/result.cc)
kit_host_test(ept_test LAB 6 SOURCES hypervisor/core/ept/tests/ept_test.cc
              hypervisor/core/ept/ept.cc kernel/core/result.cc)
