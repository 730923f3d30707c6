# Host tests for hypervisor/core/ept. ept_entry_test is infrastructure (entry and EPTP layouts,
# misconfiguration rules) and must pass with or without solutions; the others are lab 6's steps.
kit_host_test(ept_entry_test SOURCES hypervisor/core/ept/tests/ept_entry_test.cc
              kernel/core/result.cc)
# Step 1: the tables (map, translate, destroy, the EPTP).
kit_host_test(lab6_ept_test LAB 6 SOURCES hypervisor/core/ept/tests/ept_test.cc
              hypervisor/core/ept/ept.cc hypervisor/core/ept/ept_split.cc kernel/core/result.cc)
# Step 2: split, unmap and protect.
kit_host_test(lab6_ept_split_test LAB 6 SOURCES hypervisor/core/ept/tests/ept_split_test.cc
              hypervisor/core/ept/ept.cc hypervisor/core/ept/ept_split.cc kernel/core/result.cc)
# Step 3: EPT violations and the dirty log, on a fake VMCS (the handler alone: no lab 5 code).
kit_host_test(lab6_ept_violation_test LAB 6 SOURCES hypervisor/core/ept/tests/ept_violation_test.cc
              hypervisor/core/ept/ept_violation.cc hypervisor/core/ept/ept.cc hypervisor/core/ept/ept_split.cc
              hypervisor/core/exit_reason.cc kernel/core/result.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
