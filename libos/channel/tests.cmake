# Host tests of the delegation channel (infrastructure until lab 8 takes parts of it).
kit_host_test(ring_test SOURCES libos/channel/tests/ring_test.cc)
target_link_libraries(ring_test PRIVATE pthread)
kit_host_test(validate_test SOURCES libos/channel/tests/validate_test.cc libos/channel/validate.cc)
