// Lab 7: the x2APIC ICR filter. The slave owns APIC ids 1 (and, in the two-CPU case, 3); the
// master owns 0 and 2. ICR layout: SDM Vol 3A Figure 11-28 (x2APIC).
#include "hypervisor/core/slave/icr_filter.h"

#include <catch2/catch.hpp>

using namespace hv;

namespace {
constexpr uint64_t icr(uint32_t dest, uint32_t delivery, uint32_t vector, uint32_t shorthand = 0,
                       bool logical = false) {
    return (uint64_t(dest) << 32) | (uint64_t(shorthand) << 18) | (uint64_t(logical) << 11) |
           (delivery << 8) | vector;
}
constexpr uint32_t FIXED = 0, LOWEST = 1, SMI = 2, NMI = 4, INIT = 5, SIPI = 6;
const uint32_t own[] = {1};
const uint32_t own2[] = {1, 3};
IcrVerdict check(uint64_t v) {
    return check_icr_write(v, own, 1);
}
} // namespace

TEST_CASE("fixed IPIs to the slave's own CPUs pass") {
    CHECK(check(icr(1, FIXED, 0xEC)) == IcrVerdict::allow);
    CHECK(check(icr(0, FIXED, 0x30, 1)) ==
          IcrVerdict::allow); // shorthand self: destination ignored
    CHECK(check_icr_write(icr(3, FIXED, 0xFD), own2, 2) == IcrVerdict::allow);
    CHECK(check(icr(1, FIXED, 16)) == IcrVerdict::allow);
    CHECK(check(icr(1, FIXED, 255) | (1u << 14) | (1u << 15)) ==
          IcrVerdict::allow); // level/trigger bits are the sender's business
}

TEST_CASE("INIT, SIPI, NMI, SMI and lowest-priority are denied, whatever the destination") {
    for (uint32_t dest : {0u, 1u, 2u})
        for (uint32_t mode : {LOWEST, SMI, NMI, INIT, SIPI, 3u, 7u}) {
            INFO("dest " << dest << " delivery " << mode);
            CHECK(check(icr(dest, mode, 0x40)) == IcrVerdict::deny_delivery_mode);
        }
    CHECK(check(icr(1, INIT, 0, 1)) == IcrVerdict::deny_delivery_mode); // even to self
}

TEST_CASE("fixed IPIs to master CPUs, broadcasts and logical destinations are denied") {
    CHECK(check(icr(0, FIXED, 0xEC)) == IcrVerdict::deny_destination);
    CHECK(check(icr(2, FIXED, 0xEC)) == IcrVerdict::deny_destination);
    CHECK(check(icr(0xFFFFFFFF, FIXED, 0xEC)) ==
          IcrVerdict::deny_destination); // x2APIC broadcast id
    CHECK(check_icr_write(icr(2, FIXED, 0xEC), own2, 2) == IcrVerdict::deny_destination);
    CHECK(check(icr(1, FIXED, 0xEC, 2)) == IcrVerdict::deny_broadcast); // all including self
    CHECK(check(icr(1, FIXED, 0xEC, 3)) == IcrVerdict::deny_broadcast); // all excluding self
    CHECK(check(icr(1, FIXED, 0xEC, 0, true)) == IcrVerdict::deny_logical);
    CHECK(check_icr_write(icr(1, FIXED, 0xEC), nullptr, 0) == IcrVerdict::deny_destination);
}

TEST_CASE("vectors 0-15 are denied for fixed IPIs") {
    for (uint32_t v = 0; v < 16; ++v)
        CHECK(check(icr(1, FIXED, v)) == IcrVerdict::deny_vector);
}

TEST_CASE("the first reason in IcrVerdict order is reported") {
    CHECK(check(icr(0, NMI, 2, 3, true)) == IcrVerdict::deny_delivery_mode);
    CHECK(check(icr(0, FIXED, 2, 3, true)) == IcrVerdict::deny_vector);
    CHECK(check(icr(0, FIXED, 0x40, 3, true)) == IcrVerdict::deny_broadcast);
    CHECK(check(icr(0, FIXED, 0x40, 0, true)) == IcrVerdict::deny_logical);
}
