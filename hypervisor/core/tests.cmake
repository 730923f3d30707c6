# Host tests of the hypervisor's pure core: the typed VMCS layer and VMX capability arithmetic.
# Infrastructure (no LAB): labelled "infra".
kit_host_test(vmcs_test SOURCES hypervisor/core/tests/vmcs_test.cc hypervisor/core/vm_instruction_error.cc)
kit_host_test(vmx_exit_info_test SOURCES hypervisor/core/tests/exit_info_test.cc hypervisor/core/exit_reason.cc
              hypervisor/core/vm_instruction_error.cc)
kit_host_test(vmx_controls_test SOURCES hypervisor/core/tests/vmx_controls_test.cc)
kit_host_test(vmcs_load_test SOURCES hypervisor/core/tests/vmcs_load_test.cc
              hypervisor/core/entry_check/tests/known_good.cc hypervisor/core/entry_check/entry_check.cc
              hypervisor/core/entry_check/entry_check_controls.cc hypervisor/core/entry_check/entry_check_host.cc
              hypervisor/core/entry_check/entry_check_guest_regs.cc
              hypervisor/core/entry_check/entry_check_guest_segments.cc
              hypervisor/core/entry_check/entry_check_guest_nonreg.cc kernel/core/result.cc)
kit_host_test(lab5_exits_test LAB 5 SOURCES hypervisor/core/tests/lab5_exits_test.cc hypervisor/core/cpuid_policy.cc
              hypervisor/core/hypercall_dispatch.cc)
# The kit's exit handlers, reached through lab 5's handle_exit() (exit_dispatch.cc: passes once
# lab 5 is solved), with stand-ins for lab 5's CPUID policy and hypercalls (exit_dispatch_fakes.cc)
# and for lab 6's EPT-violation handler (ept_violation_standin.cc).
kit_host_test(exit_dispatch_test SOURCES hypervisor/core/tests/exit_dispatch_test.cc hypervisor/core/exit_reason.cc
              hypervisor/core/exit_dispatch.cc hypervisor/core/tests/exit_dispatch_fakes.cc
              hypervisor/core/tests/ept_violation_standin.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
# Lab 5, step 5: the exit decoded, the instruction skipped, handle_exit() and its handlers (lab 6's
# EPT-violation handler stood in for).
kit_host_test(lab5_exit_dispatch_test LAB 5 SOURCES hypervisor/core/tests/exit_dispatch_lab_test.cc
              hypervisor/core/exit_dispatch.cc hypervisor/core/cpuid_policy.cc hypervisor/core/hypercall_dispatch.cc
              hypervisor/core/tests/ept_violation_standin.cc
              hypervisor/core/exit_reason.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
kit_host_test(io_msr_bitmaps_test SOURCES hypervisor/core/tests/io_msr_bitmaps_test.cc hypervisor/core/io_msr_bitmaps.cc)
# Decoding an MMIO access's MOV and walking the guest's page tables (the slave's I/O APIC).
kit_host_test(mmio_insn_test SOURCES hypervisor/core/tests/mmio_insn_test.cc hypervisor/core/mmio_insn.cc)
# The XSAVE area layout (sizes and offsets from CPUID leaf 0xD): header-only.
kit_host_test(xsave_layout_test SOURCES hypervisor/core/tests/xsave_layout_test.cc)
# The run loop's record of a vCPU's last exits, printed when a guest stops unexpectedly.
kit_host_test(exit_history_test SOURCES hypervisor/core/tests/exit_history_test.cc hypervisor/core/exit_history.cc
              hypervisor/core/exit_reason.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc)
# The ring that holds exit handlers' console lines while interrupts are off: header-only.
kit_host_test(line_queue_test SOURCES hypervisor/core/tests/line_queue_test.cc)
# Lab 5, step 1: turning VMX on, against a fake CPU (tests/fake_vmx_cpu.h).
kit_host_test(lab5_vmx_on_test LAB 5 SOURCES hypervisor/core/tests/vmx_on_test.cc hypervisor/core/vmx_on.cc
              hypervisor/core/vmx_msrs.cc hypervisor/core/vmx_controls.cc kernel/core/result.cc)
# Lab 5, step 2: the VMCS (controls, a region made current, the host state).
kit_host_test(lab5_vmcs_setup_test LAB 5 SOURCES hypervisor/core/tests/vmcs_setup_test.cc
              hypervisor/core/vmx_controls.cc hypervisor/core/guest_controls.cc hypervisor/core/vmcs_region.cc hypervisor/core/host_state.cc
              hypervisor/core/entry_check/tests/known_good.cc hypervisor/core/entry_check/entry_check.cc
              hypervisor/core/entry_check/entry_check_controls.cc hypervisor/core/entry_check/entry_check_host.cc
              hypervisor/core/entry_check/entry_check_guest_regs.cc
              hypervisor/core/entry_check/entry_check_guest_segments.cc
              hypervisor/core/entry_check/entry_check_guest_nonreg.cc kernel/core/result.cc)
# Lab 5, step 3: the guest state, judged by the VM-entry checker.
kit_host_test(lab5_guest_state_test LAB 5 SOURCES hypervisor/core/tests/guest_state_lab_test.cc
              hypervisor/core/guest_state.cc hypervisor/core/guest_controls.cc hypervisor/core/vmx_controls.cc
              hypervisor/core/entry_check/tests/known_good.cc hypervisor/core/entry_check/entry_check.cc
              hypervisor/core/entry_check/entry_check_controls.cc hypervisor/core/entry_check/entry_check_host.cc
              hypervisor/core/entry_check/entry_check_guest_regs.cc
              hypervisor/core/entry_check/entry_check_guest_segments.cc
              hypervisor/core/entry_check/entry_check_guest_nonreg.cc kernel/core/result.cc)
