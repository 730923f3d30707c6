# Host tests for the VM-entry checker (SDM Vol 3C 27.2/27.3). Infrastructure: belongs to no lab.
include_guard(GLOBAL) # safe if a second glob pattern also lists this file
kit_host_test(entry_check_test SOURCES
    hypervisor/core/entry_check/tests/entry_check_test.cc
    hypervisor/core/entry_check/tests/entry_check_guest_test.cc
    hypervisor/core/entry_check/tests/known_good.cc
    hypervisor/core/entry_check/entry_check.cc
    hypervisor/core/entry_check/entry_check_controls.cc
    hypervisor/core/entry_check/entry_check_host.cc
    hypervisor/core/entry_check/entry_check_guest_regs.cc
    hypervisor/core/entry_check/entry_check_guest_segments.cc
    hypervisor/core/entry_check/entry_check_guest_nonreg.cc)
# The differential test's pure half: the case generator and the judging of one case.
kit_host_test(entry_diff_test SOURCES
    hypervisor/core/entry_check/tests/perturb_test.cc
    hypervisor/core/entry_check/tests/entry_diff_test.cc
    hypervisor/core/entry_check/tests/known_good.cc
    hypervisor/core/entry_check/perturb.cc
    hypervisor/core/entry_check/entry_diff.cc
    hypervisor/core/entry_check/entry_check.cc
    hypervisor/core/entry_check/entry_check_controls.cc
    hypervisor/core/entry_check/entry_check_host.cc
    hypervisor/core/entry_check/entry_check_guest_regs.cc
    hypervisor/core/entry_check/entry_check_guest_segments.cc
    hypervisor/core/entry_check/entry_check_guest_nonreg.cc)
