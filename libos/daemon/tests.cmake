# vlibosd's request handling, on the host against a temporary directory (infrastructure).
kit_host_test(server_test SOURCES libos/daemon/tests/server_test.cc libos/daemon/server.cc libos/channel/check_request.cc)
# Lab 8, step 3: vlibosd's dispatcher (with the lab's rings from step 1), on the host.
kit_host_test(dispatcher_test LAB 8 SOURCES libos/daemon/tests/dispatcher_test.cc libos/daemon/dispatcher.cc
              libos/daemon/server.cc libos/channel/check_request.cc libos/channel/ring.cc)
target_link_libraries(dispatcher_test PRIVATE pthread)
