# Host tests for kernel/arch/x86_64's pure layout code.
kit_host_test(idt_gate_test LAB 0 SOURCES kernel/arch/x86_64/tests/idt_gate_test.cc kernel/arch/x86_64/idt_gate.cc)
# start_ap() against a fake LAPIC and clock (the test file defines lapic::send_ipi and udelay).
kit_host_test(ap_start_test LAB 2 SOURCES kernel/arch/x86_64/tests/ap_start_test.cc kernel/arch/x86_64/smp/ap_start.cc
              kernel/core/result.cc)
