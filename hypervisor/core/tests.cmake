# Host tests of the hypervisor's pure core: the typed VMCS layer and VMX capability arithmetic.
# Infrastructure (no LAB): labelled "infra".
kit_host_test(vmcs_test SOURCES hypervisor/core/tests/vmcs_test.cc hypervisor/core/vm_instruction_error.cc)
kit_host_test(vmx_exit_info_test SOURCES hypervisor/core/tests/exit_info_test.cc hypervisor/core/exit_reason.cc
              hypervisor/core/vm_instruction_error.cc)
kit_host_test(vmx_controls_test SOURCES hypervisor/core/tests/vmx_controls_test.cc hypervisor/core/vmx_controls.cc)
