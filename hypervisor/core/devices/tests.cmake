# Host tests for the emulated devices (infrastructure).
kit_host_test(uart16550_test SOURCES hypervisor/core/devices/tests/uart16550_test.cc
              hypervisor/core/devices/uart16550.cc)
kit_host_test(vlapic_test SOURCES hypervisor/core/devices/tests/vlapic_test.cc hypervisor/core/devices/vlapic.cc)
kit_host_test(ioapic_test SOURCES hypervisor/core/devices/tests/ioapic_test.cc hypervisor/core/devices/ioapic.cc)
