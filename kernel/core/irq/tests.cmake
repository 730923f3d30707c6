# Host tests for kernel/core/irq: routing device interrupts.
kit_host_test(ioapic_route_test LAB 2 SOURCES kernel/core/irq/tests/ioapic_route_test.cc kernel/core/irq/ioapic_route.cc
              kernel/core/result.cc)
