# Host tests for the Linux slave's pure parts. bzimage_test and icr_filter_test are lab 7; the
# layout, setup_data and MSR/CPUID policy tests are infrastructure (slave_policy_test links the
# lab 5 stand-ins, so it passes whether or not lab 5 is solved).
kit_host_test(bzimage_test LAB 7 SOURCES hypervisor/core/linux/tests/bzimage_test.cc
              hypervisor/core/linux/bzimage.cc kernel/core/result.cc)
kit_host_test(icr_filter_test LAB 7 SOURCES hypervisor/core/linux/tests/icr_filter_test.cc
              hypervisor/core/linux/icr_filter.cc hypervisor/core/linux/icr_verdict.cc)
kit_host_test(slave_layout_test SOURCES hypervisor/core/linux/tests/slave_layout_test.cc
              hypervisor/core/linux/slave_layout.cc kernel/core/result.cc)
kit_host_test(slave_policy_test SOURCES hypervisor/core/linux/tests/slave_policy_test.cc
              hypervisor/core/linux/slave_policy.cc hypervisor/core/tests/exit_dispatch_fakes.cc)
# The slave's exit handlers on a fake VMCS, with stand-ins for labs 5 and 7: infrastructure.
kit_host_test(slave_exits_test SOURCES hypervisor/core/linux/tests/slave_exits_test.cc
              hypervisor/core/linux/tests/slave_exits_fakes.cc hypervisor/core/tests/exit_dispatch_fakes.cc
              hypervisor/core/linux/slave_policy.cc hypervisor/core/linux/icr_verdict.cc
              hypervisor/core/devices/uart16550.cc hypervisor/core/devices/vlapic.cc hypervisor/core/exit_reason.cc
              hypervisor/core/devices/ioapic.cc hypervisor/core/mmio_insn.cc
              kernel/core/format.cc kernel/core/format_int.cc)
