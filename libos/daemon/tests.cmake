# vlibosd's request handling, on the host against a temporary directory (infrastructure).
kit_host_test(server_test SOURCES libos/daemon/tests/server_test.cc libos/daemon/server.cc libos/channel/check_request.cc)
