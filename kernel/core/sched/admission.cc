// Lab 4: admission control for VCPUs (contracts in core/sched/admission.h).
//
// What to write:
//  - validate_params: a period of 0, a budget of 0 and a budget larger than the period are
//    all refused, each with its own message (tests compare them).
//  - utilization_ppm: ceil(C * 1'000'000 / T). C * 1'000'000 overflows 64 bits once C passes
//    1.8e13 cycles (~2 hours of a 3 GHz TSC), and dividing a 128-bit number needs __udivti3,
//    which the freestanding kernel does not link. Since C <= T, one way is schoolbook binary
//    long multiplication: walk the bits of 1'000'000 from the top, keeping a quotient q and a
//    remainder r < T of "C times the bits seen so far, divided by T"; doubling and adding C
//    to r never needs more than 64 bits if you compare before you add (r >= T - r, not 2r >= T).
//  - response_time: start from R = C_i and apply R' = C_i + sum of ceil(R / T_j) * C_j over
//    every j with rm_higher_priority(T_j, j, T_i, i), until R' == R (schedulable, return R)
//    or R' > T_i (return RESPONSE_TIME_MISSED). R never decreases, so this terminates. Keep
//    every partial sum <= T_i: stop as soon as one term or the running sum would pass T_i,
//    and overflow cannot happen.
//  - admit: the order of checks in admission.h. The "utilization above 1" check must use
//    shares rounded *down* (a set of three (1, 3) VCPUs has U = 1 exactly, but each share
//    rounded up is 333334 PPM); the Liu & Layland check uses shares rounded *up* against
//    the bound rounded *down*. Rounding the other way would admit sets it should not.
//  - check_io_bandwidth: validate, then add up, then compare with PPM.
#include "core/sched/admission.h"

namespace kern {

Result<void> validate_params(const VcpuParams& p) {
    // TODO(lab4)
    (void)p;
    return Error{Errc::unsupported, "validate_params: not implemented (lab 4)"};
}

uint64_t utilization_ppm(const VcpuParams& p) {
    // TODO(lab4)
    (void)p;
    return 0;
}

uint64_t response_time(const VcpuParams* set, size_t n, size_t i) {
    // TODO(lab4)
    (void)set;
    (void)n;
    (void)i;
    return RESPONSE_TIME_MISSED;
}

Result<void> admit(const VcpuParams* set, size_t n, AdmissionReport& report) {
    // TODO(lab4)
    (void)set;
    (void)n;
    report = AdmissionReport{};
    return Error{Errc::unsupported, "admit: not implemented (lab 4)"};
}

Result<uint64_t> check_io_bandwidth(const VcpuParams* main, size_t n_main, const IoVcpuParams* io,
                                    size_t n_io) {
    // TODO(lab4)
    (void)main;
    (void)n_main;
    (void)io;
    (void)n_io;
    return Error{Errc::unsupported, "check_io_bandwidth: not implemented (lab 4)"};
}

} // namespace kern
