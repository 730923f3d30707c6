// Lab 4: admission control. Expected values are worked out by hand in the comments.
#include "core/sched/admission.h"

#include <catch2/catch.hpp>
#include <string.h>

using namespace kern;

namespace {

bool message_is(const Result<void>& r, const char* what) {
    return !r.ok() && r.error().code == Errc::invalid_argument && strcmp(r.error().what, what) == 0;
}

} // namespace

TEST_CASE("validate_params refuses a zero period or budget and a budget above the period",
          "[lab4]") {
    CHECK(validate_params({1, 1}).ok());
    CHECK(validate_params({3, 10}).ok());
    CHECK(message_is(validate_params({1, 0}), "VCPU period is zero"));
    CHECK(message_is(validate_params({0, 0}), "VCPU period is zero"));
    CHECK(message_is(validate_params({0, 10}), "VCPU budget is zero"));
    CHECK(message_is(validate_params({11, 10}), "VCPU budget exceeds its period"));

    // admit() names the offending index and refuses before any analysis.
    VcpuParams set[] = {{1, 4}, {5, 4}, {0, 4}};
    AdmissionReport rep;
    CHECK(message_is(admit(set, 3, rep), "VCPU budget exceeds its period"));
    CHECK(rep.first_failing == 1);
    CHECK(rep.admitted_by == AdmissionTest::none);
}

TEST_CASE("utilization_ppm rounds up and is exact for huge values", "[lab4]") {
    CHECK(utilization_ppm({1, 4}) == 250000);
    CHECK(utilization_ppm({1, 3}) == 333334); // 333333.3... rounded up
    CHECK(utilization_ppm({2, 3}) == 666667); // 666666.6...
    CHECK(utilization_ppm({7, 7}) == 1000000);
    CHECK(utilization_ppm({1, 1000000000}) == 1); // 0.001 PPM rounds up to 1
    // C * 10^6 would overflow 64 bits here.
    CHECK(utilization_ppm({1ull << 62, 1ull << 63}) == 500000);
    CHECK(utilization_ppm({UINT64_MAX / 3, UINT64_MAX}) == 333334);
    CHECK(utilization_ppm({UINT64_MAX - 1, UINT64_MAX}) == 1000000);
}

TEST_CASE("Liu and Layland bound admits small sets without response-time analysis", "[lab4]") {
    // Liu & Layland 1973, Theorem 5: n(2^(1/n) - 1) = 1.0, 0.828427.., 0.779763.. for n = 1..3.
    CHECK(liu_layland_bound_ppm(1) == 1000000);
    CHECK(liu_layland_bound_ppm(2) == 828427);
    CHECK(liu_layland_bound_ppm(3) == 779763);
    CHECK(liu_layland_bound_ppm(1000) == LIU_LAYLAND_LIMIT_PPM);

    AdmissionReport rep;
    VcpuParams one[] = {{10, 10}}; // U = 1.0 = the bound for n = 1
    REQUIRE(admit(one, 1, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::utilization_bound);
    CHECK(rep.utilization_ppm == 1000000);
    CHECK(rep.response_time[0] == 10);

    VcpuParams two[] = {{41, 100}, {41, 100}}; // U = 0.82 <= 0.828427
    REQUIRE(admit(two, 2, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::utilization_bound);
    CHECK(rep.utilization_ppm == 820000);
    CHECK(rep.bound_ppm == 828427);
    CHECK(rep.first_failing == NO_VCPU);

    // U = 0.84 > 0.828427: the bound fails, RTA admits. Equal periods: index 0 goes first,
    // R_0 = 42, R_1 = 42 + ceil(42/100) * 42 = 84 <= 100.
    VcpuParams two_rta[] = {{42, 100}, {42, 100}};
    REQUIRE(admit(two_rta, 2, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::response_time);
    CHECK(rep.response_time[0] == 42);
    CHECK(rep.response_time[1] == 84);
}

TEST_CASE("a set above the bound that response-time analysis admits", "[lab4]") {
    // (C, T) = (1, 4), (2, 6), (3, 10): U = 0.25 + 0.3333 + 0.3 = 0.8833 > 0.779763 (n = 3).
    // RTA (Joseph & Pandya 1986, Audsley et al. 1993), RM order 4 < 6 < 10:
    //   R(1,4)  = 1
    //   R(2,6):  2 -> 2 + ceil(2/4)*1 = 3 -> 2 + ceil(3/4)*1 = 3                          = 3
    //   R(3,10): 3 -> 3 + 1*1 + 1*2 = 6 -> 3 + 2*1 + 1*2 = 7 -> 3 + 2 + 2*2 = 9
    //              -> 3 + 3*1 + 2*2 = 10 -> 3 + ceil(10/4)*1 + ceil(10/6)*2 = 10     = 10 <= 10
    // Given in a scrambled order to check that priority follows the period, not the index.
    VcpuParams set[] = {{3, 10}, {1, 4}, {2, 6}};
    AdmissionReport rep;
    REQUIRE(admit(set, 3, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::response_time);
    CHECK(rep.utilization_ppm == 300000 + 250000 + 333334);
    CHECK(rep.count == 3);
    CHECK(rep.response_time[0] == 10);
    CHECK(rep.response_time[1] == 1);
    CHECK(rep.response_time[2] == 3);
    CHECK(response_time(set, 3, 0) == 10);
}

TEST_CASE("harmonic sets with U = 1 are admitted by response-time analysis", "[lab4]") {
    // Periods 2 | 4 | 8, U = 1/2 + 1/4 + 2/8 = 1. Harmonic periods are RM-schedulable up to
    // U = 1. R(1,2) = 1, R(1,4) = 1 + ceil(2/2)*1 = 2,
    // R(2,8): 2 -> 2 + 1 + 1 = 4 -> 2 + 2 + 1 = 5 -> 2 + 3 + 2 = 7 -> 2 + 4 + 2 = 8 -> 8.
    VcpuParams set[] = {{1, 2}, {1, 4}, {2, 8}};
    AdmissionReport rep;
    REQUIRE(admit(set, 3, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::response_time);
    CHECK(rep.utilization_ppm == 1000000);
    CHECK(rep.response_time[0] == 1);
    CHECK(rep.response_time[1] == 2);
    CHECK(rep.response_time[2] == 8);

    // Three (1, 3): U = 1 exactly, though each share rounded up is 333334 PPM. Ties by index:
    // R = 1, 2, 3. Refusing this as "above 1" would be rounding the wrong way.
    VcpuParams thirds[] = {{1, 3}, {1, 3}, {1, 3}};
    REQUIRE(admit(thirds, 3, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::response_time);
    CHECK(rep.response_time[0] == 1);
    CHECK(rep.response_time[1] == 2);
    CHECK(rep.response_time[2] == 3);
}

TEST_CASE("utilization above 1 is refused", "[lab4]") {
    // U = 2/4 + 3/5 = 1.1. RTA: R(3,5) = 3 -> 3 + ceil(3/4)*2 = 5 -> 3 + ceil(5/4)*2 = 7 > 5.
    VcpuParams set[] = {{2, 4}, {3, 5}};
    AdmissionReport rep;
    CHECK(message_is(admit(set, 2, rep), "utilization above 1"));
    CHECK(rep.admitted_by == AdmissionTest::none);
    CHECK(rep.utilization_ppm == 1100000);
    CHECK(rep.first_failing == 1);
    CHECK(rep.response_time[0] == 2);
    CHECK(rep.response_time[1] == RESPONSE_TIME_MISSED);
}

TEST_CASE("a non-harmonic set with U = 1 misses a deadline", "[lab4]") {
    // (2, 4), (3, 6): U = 1, but R(3,6) = 3 -> 3 + 1*2 = 5 -> 3 + 2*2 = 7 > 6.
    // Listed lower priority first: the report names index 0.
    VcpuParams set[] = {{3, 6}, {2, 4}};
    AdmissionReport rep;
    CHECK(message_is(admit(set, 2, rep), "response time exceeds period"));
    CHECK(rep.admitted_by == AdmissionTest::none);
    CHECK(rep.first_failing == 0);
    CHECK(rep.response_time[0] == RESPONSE_TIME_MISSED);
    CHECK(rep.response_time[1] == 2);
}

TEST_CASE("response-time analysis does not overflow near 2^64", "[lab4]") {
    // R_1 = 2^63 + ceil(2^63 / 2^63) * 2^63 = 2^64: must be "missed", not wrap to 0.
    VcpuParams set[] = {{1ull << 63, 1ull << 63}, {1ull << 63, UINT64_MAX}};
    CHECK(response_time(set, 2, 0) == 1ull << 63);
    CHECK(response_time(set, 2, 1) == RESPONSE_TIME_MISSED);
    AdmissionReport rep;
    CHECK(message_is(admit(set, 2, rep), "utilization above 1"));

    // Two halves of a huge period: R_1 = 2^62 + 2^62 = 2^63 <= T.
    VcpuParams halves[] = {{1ull << 62, 1ull << 63}, {1ull << 62, 1ull << 63}};
    REQUIRE(admit(halves, 2, rep).ok());
    CHECK(rep.admitted_by == AdmissionTest::response_time);
    CHECK(rep.response_time[1] == 1ull << 63);
}

TEST_CASE("admit handles empty and oversized sets", "[lab4]") {
    AdmissionReport rep;
    CHECK(admit(nullptr, 0, rep).ok());
    CHECK(rep.utilization_ppm == 0);
    VcpuParams many[MAX_VCPUS + 1];
    for (auto& p : many)
        p = {1, 1000};
    CHECK(message_is(admit(many, MAX_VCPUS + 1, rep), "too many VCPUs on one CPU"));
    REQUIRE(admit(many, MAX_VCPUS, rep).ok()); // U = 0.064
    CHECK(rep.admitted_by == AdmissionTest::utilization_bound);
    CHECK(message_is(admit(nullptr, 1, rep), "VCPU set is null"));
}

TEST_CASE("I/O VCPU bandwidth is checked on top of the Main VCPUs", "[lab4]") {
    VcpuParams main[] = {{1, 4}, {2, 10}}; // 0.25 + 0.2
    IoVcpuParams io[] = {{300000}, {250000}};
    Result<uint64_t> ok = check_io_bandwidth(main, 2, io, 2);
    REQUIRE(ok.ok());
    CHECK(ok.value() == 1000000);

    IoVcpuParams too_much[] = {{300000}, {250001}};
    Result<uint64_t> over = check_io_bandwidth(main, 2, too_much, 2);
    REQUIRE(!over.ok());
    CHECK(strcmp(over.error().what, "Main plus I/O VCPU utilization above 1") == 0);

    IoVcpuParams zero[] = {{0}};
    CHECK(strcmp(check_io_bandwidth(main, 2, zero, 1).error().what,
                 "I/O VCPU utilization is zero") == 0);
    IoVcpuParams whole[] = {{PPM + 1}};
    CHECK(strcmp(check_io_bandwidth(nullptr, 0, whole, 1).error().what,
                 "I/O VCPU utilization above 1") == 0);
    VcpuParams bad[] = {{5, 4}};
    CHECK(strcmp(check_io_bandwidth(bad, 1, io, 2).error().what,
                 "VCPU budget exceeds its period") == 0);
    Result<uint64_t> only_io = check_io_bandwidth(nullptr, 0, io, 2);
    REQUIRE(only_io.ok());
    CHECK(only_io.value() == 550000);
}
