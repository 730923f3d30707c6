# Host tests for the master's pure parts of delegation (infrastructure).
kit_host_test(route_test SOURCES libos/master/tests/route_test.cc libos/master/route.cc)
