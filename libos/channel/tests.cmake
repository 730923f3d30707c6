# Host tests of the delegation channel: the ring operations and the two sides' checks (lab 8).
kit_host_test(ring_test LAB 8 SOURCES libos/channel/tests/ring_test.cc libos/channel/ring.cc)
target_link_libraries(ring_test PRIVATE pthread)
kit_host_test(response_check_test LAB 8 SOURCES libos/channel/tests/response_check_test.cc
              libos/channel/check_response.cc)
# Lab 8, step 3: the daemon's check of every request.
kit_host_test(request_check_test LAB 8 SOURCES libos/channel/tests/request_check_test.cc libos/channel/check_request.cc)
