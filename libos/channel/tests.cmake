# Host tests of the delegation channel. The ring operations and the master's response check are
# lab 8's; the daemon's request check is infrastructure.
kit_host_test(ring_test LAB 8 SOURCES libos/channel/tests/ring_test.cc libos/channel/ring.cc)
target_link_libraries(ring_test PRIVATE pthread)
kit_host_test(response_check_test LAB 8 SOURCES libos/channel/tests/response_check_test.cc
              libos/channel/check_response.cc)
kit_host_test(request_check_test SOURCES libos/channel/tests/request_check_test.cc libos/channel/check_request.cc)
