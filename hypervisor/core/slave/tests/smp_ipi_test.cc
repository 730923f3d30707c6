// Decoding the ICR writes that start an SMP slave's other CPUs (smp_ipi.h).
#include "hypervisor/core/slave/smp_ipi.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
const uint32_t OWN[3] = {1, 2, 3}; // x2APIC ids of the slave's CPUs; the master has 0
constexpr uint64_t INIT_ASSERT = 0x4500, INIT_DEASSERT = 0x8500, STARTUP = 0x4600;
constexpr uint64_t to(uint32_t id) {
    return uint64_t(id) << 32;
}
} // namespace

TEST_CASE("startup IPIs: INIT and SIPI to another of the slave's CPUs are decoded") {
    StartupIpi s = decode_startup_ipi(to(2) | INIT_ASSERT, OWN, 3, 0);
    CHECK(s.kind == StartupIpi::init);
    CHECK(s.target == 1);
    s = decode_startup_ipi(to(3) | INIT_DEASSERT, OWN, 3, 0);
    CHECK(s.kind == StartupIpi::init_deassert);
    CHECK(s.target == 2);
    s = decode_startup_ipi(to(2) | STARTUP | 0x9A, OWN, 3, 0);
    CHECK(s.kind == StartupIpi::startup);
    CHECK(s.target == 1);
    CHECK(s.vector == 0x9A);
}

TEST_CASE("startup IPIs: everything else is left to the ICR filter") {
    CHECK(decode_startup_ipi(to(0) | INIT_ASSERT, OWN, 3, 0).kind == StartupIpi::none);    // master
    CHECK(decode_startup_ipi(to(1) | STARTUP | 0x9A, OWN, 3, 0).kind == StartupIpi::none); // self
    CHECK(decode_startup_ipi(to(2) | INIT_ASSERT | (3ull << 18), OWN, 3, 0).kind ==
          StartupIpi::none); // all excluding self
    CHECK(decode_startup_ipi(to(2) | INIT_ASSERT | (1u << 11), OWN, 3, 0).kind ==
          StartupIpi::none); // logical destination
    CHECK(decode_startup_ipi(to(2) | 0x30, OWN, 3, 0).kind == StartupIpi::none);        // fixed
    CHECK(decode_startup_ipi(to(2) | 0x400, OWN, 3, 0).kind == StartupIpi::none);       // NMI
    CHECK(decode_startup_ipi(to(2) | INIT_ASSERT, OWN, 1, 0).kind == StartupIpi::none); // UP
}

TEST_CASE("broadcast IPIs of an SMP slave go to each of its CPUs, not the machine's") {
    uint64_t out[3];
    // REBOOT_VECTOR to all excluding self, from CPU index 0 (x2APIC id 1)
    REQUIRE(expand_broadcast(0xC40F8, OWN, 3, 0, out) == 2);
    CHECK(out[0] == (to(2) | 0x40F8));
    CHECK(out[1] == (to(3) | 0x40F8));
    // all including self; the logical bit and a stray destination dropped
    REQUIRE(expand_broadcast(to(7) | 0x80830, OWN, 3, 1, out) == 3);
    CHECK(out[0] == (to(1) | 0x30));
    CHECK(out[1] == (to(2) | 0x30));
    CHECK(out[2] == (to(3) | 0x30));
    // not a broadcast, or a one-CPU slave: nothing to expand
    CHECK(expand_broadcast(to(2) | 0x30, OWN, 3, 0, out) == 0);
    CHECK(expand_broadcast(0x40030, OWN, 3, 0, out) == 0); // self
    CHECK(expand_broadcast(0xC00F8, OWN, 1, 0, out) == 0);
}
