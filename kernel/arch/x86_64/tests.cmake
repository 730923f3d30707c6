# Host tests for kernel/arch/x86_64's pure layout code.
kit_host_test(idt_gate_test LAB 0 SOURCES kernel/arch/x86_64/tests/idt_gate_test.cc kernel/arch/x86_64/idt_gate.cc)
