# Host tests for the Linux slave's pure parts. bzimage_test, lab7_linux_boot_test and
# icr_filter_test are lab 7; the setup_data and MSR/CPUID policy tests are infrastructure
# (slave_policy_test links the lab 5 stand-ins, so it passes whether or not lab 5 is solved).
kit_host_test(bzimage_test LAB 7 SOURCES hypervisor/core/slave/tests/bzimage_test.cc
              hypervisor/core/slave/bzimage.cc kernel/core/result.cc)
kit_host_test(icr_filter_test LAB 7 SOURCES hypervisor/core/slave/tests/icr_filter_test.cc
              hypervisor/core/slave/icr_filter.cc hypervisor/core/slave/icr_verdict.cc)
kit_host_test(slave_layout_test SOURCES hypervisor/core/slave/tests/slave_layout_test.cc
              hypervisor/core/slave/slave_layout.cc kernel/core/result.cc)
# Lab 7, step 2: the boot protocol's memory plan, identity map, GDT and entry state (with lab 5's
# guest state and controls, judged by the VM-entry checker).
kit_host_test(lab7_linux_boot_test LAB 7 SOURCES hypervisor/core/slave/tests/linux_boot_test.cc
              hypervisor/core/slave/linux_boot.cc hypervisor/core/guest_state.cc hypervisor/core/guest_controls.cc
              hypervisor/core/vmx_controls.cc hypervisor/core/entry_check/tests/known_good.cc
              hypervisor/core/entry_check/entry_check.cc hypervisor/core/entry_check/entry_check_controls.cc
              hypervisor/core/entry_check/entry_check_host.cc hypervisor/core/entry_check/entry_check_guest_regs.cc
              hypervisor/core/entry_check/entry_check_guest_segments.cc
              hypervisor/core/entry_check/entry_check_guest_nonreg.cc kernel/core/result.cc)
kit_host_test(slave_policy_test SOURCES hypervisor/core/slave/tests/slave_policy_test.cc
              hypervisor/core/slave/slave_policy.cc hypervisor/core/tests/exit_dispatch_fakes.cc)
# What the slave's exit-handler tests link: the handlers' pure parts, lab 5's exit decoding and
# handle_exit() (exit_dispatch.cc: they pass once lab 5 is solved) and stand-ins for lab 5's CPUID
# policy and hypercalls, for lab 6's EPT-violation handler and for lab 7.
set(SLAVE_EXITS_DEPS hypervisor/core/slave/tests/slave_exits_fakes.cc hypervisor/core/tests/exit_dispatch_fakes.cc
    hypervisor/core/exit_dispatch.cc hypervisor/core/tests/ept_violation_standin.cc
    hypervisor/core/slave/slave_policy.cc hypervisor/core/slave/icr_verdict.cc
    hypervisor/core/slave/uart16550.cc hypervisor/core/slave/vlapic.cc hypervisor/core/exit_reason.cc
    hypervisor/core/slave/ioapic.cc hypervisor/core/mmio_insn.cc hypervisor/core/slave/smp_ipi.cc
    kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
# The slave's exit handlers on a fake VMCS: infrastructure (needs lab 5 solved, see above).
kit_host_test(slave_exits_test SOURCES hypervisor/core/slave/tests/slave_exits_test.cc
              ${SLAVE_EXITS_DEPS})
# Host tests for the emulated devices (infrastructure).
kit_host_test(uart16550_test SOURCES hypervisor/core/slave/tests/uart16550_test.cc
              hypervisor/core/slave/uart16550.cc)
# Lab 9, step 1: the virtual x2APIC of a babysat slave.
kit_host_test(vlapic_test LAB 9 SOURCES hypervisor/core/slave/tests/vlapic_test.cc hypervisor/core/slave/vlapic.cc)
kit_host_test(ioapic_test SOURCES hypervisor/core/slave/tests/ioapic_test.cc hypervisor/core/slave/ioapic.cc)
# The sink builds on lab 6's Ept (map, translate, destroy): shown in lab 6's grade for 0 points.
kit_host_test(ept_sink_test LAB 6 SOURCES hypervisor/core/slave/tests/ept_sink_test.cc
              hypervisor/core/slave/ept_sink.cc hypervisor/core/ept/ept.cc hypervisor/core/ept/ept_split.cc
              kernel/core/result.cc)
# Lab 9, step 2: babysat mode's decisions, applied to a fake VMCS (with the same stand-ins and
# the lab's virtual x2APIC from step 1).
kit_host_test(babysat_exits_test LAB 9 SOURCES hypervisor/core/slave/tests/babysat_exits_test.cc
              hypervisor/core/slave/babysat_policy.cc ${SLAVE_EXITS_DEPS})
# INIT/SIPI between an SMP slave's CPUs (infrastructure).
kit_host_test(smp_ipi_test SOURCES hypervisor/core/slave/tests/smp_ipi_test.cc
              hypervisor/core/slave/smp_ipi.cc)
# Lab 9, step 3: a caller's run of the babysat slave, on the caller's budget.
kit_host_test(babysat_budget_test LAB 9 SOURCES hypervisor/core/slave/tests/babysat_budget_test.cc
              hypervisor/core/slave/babysat_budget.cc)
