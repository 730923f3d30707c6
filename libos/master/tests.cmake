# Host tests for the master's pure parts of delegation (infrastructure).
kit_host_test(route_test SOURCES libos/master/tests/route_test.cc libos/master/route.cc)
# Lab 8, step 2: one delegated call on a caller slot, against a scripted daemon (with the lab's
# ring and response check from step 1).
kit_host_test(call_test LAB 8 SOURCES libos/master/tests/call_test.cc libos/master/call.cc
              libos/channel/ring.cc libos/channel/check_response.cc)
