# vlibosd's request handling, on the host against a temporary directory (infrastructure).
kit_host_test(server_test SOURCES libos/daemon/tests/server_test.cc libos/daemon/server.cc libos/channel/check_request.cc)
# The dispatcher drives the channel's rings (lab 8's ring.cc): only with lab 8's solution.
if("8" IN_LIST SOLVED_LABS)
    kit_host_test(dispatcher_test SOURCES libos/daemon/tests/dispatcher_test.cc libos/daemon/dispatcher.cc
                  libos/daemon/server.cc libos/channel/check_request.cc libos/channel/ring.cc)
    target_link_libraries(dispatcher_test PRIVATE pthread)
endif()
