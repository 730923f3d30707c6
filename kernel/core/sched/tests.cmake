kit_host_test(admission_test LAB 4 SOURCES kernel/core/sched/tests/admission_test.cc kernel/core/sched/admission.cc)
kit_host_test(sporadic_server_test LAB 4 SOURCES kernel/core/sched/tests/sporadic_server_test.cc kernel/core/sched/sporadic_server.cc)
