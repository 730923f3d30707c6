// Lab 4 solution: admission control for VCPUs (contracts in core/sched/admission.h).
#include "core/sched/admission.h"

namespace kern {

namespace {

// a * b / d for a < d, as a quotient and a remainder (q * d + r == a * b, r < d), in 64-bit
// arithmetic only: binary long multiplication that reduces modulo d after every step.
uint64_t mul_div(uint64_t a, uint64_t b, uint64_t d, uint64_t& rem) {
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; --bit) {
        // (q, r) := 2 * (q, r); 2r >= d is tested as r >= d - r, which cannot overflow.
        q <<= 1;
        if (r >= d - r) {
            r -= d - r;
            q |= 1;
        } else {
            r += r;
        }
        // (q, r) += a when this bit of b is set; a < d, so at most one carry into q.
        if ((b >> bit) & 1) {
            if (r >= d - a) {
                r -= d - a;
                q += 1;
            } else {
                r += a;
            }
        }
    }
    rem = r;
    return q;
}

// floor(C * PPM / T), for the "certainly above 1" test.
uint64_t utilization_floor_ppm(const VcpuParams& p) {
    if (p.budget == p.period) return PPM;
    uint64_t rem;
    return mul_div(p.budget, PPM, p.period, rem);
}

Result<void> validate_set(const VcpuParams* set, size_t n, size_t& bad) {
    bad = NO_VCPU;
    if (n > MAX_VCPUS) return Error{Errc::invalid_argument, "too many VCPUs on one CPU"};
    if (n > 0 && set == nullptr) return Error{Errc::invalid_argument, "VCPU set is null"};
    for (size_t i = 0; i < n; ++i) {
        Result<void> r = validate_params(set[i]);
        if (!r.ok()) {
            bad = i;
            return r;
        }
    }
    return {};
}

} // namespace

Result<void> validate_params(const VcpuParams& p) {
    if (p.period == 0) return Error{Errc::invalid_argument, "VCPU period is zero"};
    if (p.budget == 0) return Error{Errc::invalid_argument, "VCPU budget is zero"};
    if (p.budget > p.period) return Error{Errc::invalid_argument, "VCPU budget exceeds its period"};
    return {};
}

uint64_t utilization_ppm(const VcpuParams& p) {
    if (p.budget == p.period) return PPM;
    uint64_t rem;
    uint64_t q = mul_div(p.budget, PPM, p.period, rem);
    return q + (rem != 0 ? 1 : 0);
}

uint64_t response_time(const VcpuParams* set, size_t n, size_t i) {
    const uint64_t c = set[i].budget, t = set[i].period;
    uint64_t r = c;
    for (;;) {
        // next = C_i + sum of the higher-priority interference; every value stays <= t.
        uint64_t next = c;
        for (size_t j = 0; j < n; ++j) {
            if (!rm_higher_priority(set[j].period, j, t, i)) continue;
            uint64_t jobs = r / set[j].period + (r % set[j].period != 0 ? 1 : 0);
            if (jobs > t / set[j].budget) // jobs * C_j > t
                return RESPONSE_TIME_MISSED;
            uint64_t term = jobs * set[j].budget;
            if (term > t - next) return RESPONSE_TIME_MISSED;
            next += term;
        }
        if (next == r) return r;
        r = next; // r < next <= t: R only grows, so the loop ends
    }
}

Result<void> admit(const VcpuParams* set, size_t n, AdmissionReport& report) {
    report = AdmissionReport{};
    size_t bad;
    Result<void> valid = validate_set(set, n, bad);
    if (!valid.ok()) {
        report.first_failing = bad;
        return valid;
    }

    uint64_t up = 0, down = 0; // each <= 64 * PPM: no overflow
    for (size_t i = 0; i < n; ++i) {
        up += utilization_ppm(set[i]);
        down += utilization_floor_ppm(set[i]);
    }
    report.utilization_ppm = up;
    report.bound_ppm = liu_layland_bound_ppm(n);
    report.count = n;
    for (size_t i = 0; i < n; ++i) {
        report.response_time[i] = response_time(set, n, i);
        if (report.response_time[i] == RESPONSE_TIME_MISSED && report.first_failing == NO_VCPU)
            report.first_failing = i;
    }

    if (down > PPM) return Error{Errc::invalid_argument, "utilization above 1"};
    if (up <= report.bound_ppm) {
        report.admitted_by = AdmissionTest::utilization_bound;
        return {};
    }
    if (report.first_failing != NO_VCPU)
        return Error{Errc::invalid_argument, "response time exceeds period"};
    report.admitted_by = AdmissionTest::response_time;
    return {};
}

Result<uint64_t> check_io_bandwidth(const VcpuParams* main, size_t n_main, const IoVcpuParams* io,
                                    size_t n_io) {
    size_t bad;
    TRY_VOID(validate_set(main, n_main, bad));
    if (n_io > 0 && io == nullptr) return Error{Errc::invalid_argument, "I/O VCPU set is null"};
    uint64_t total = 0;
    for (size_t i = 0; i < n_main; ++i)
        total += utilization_ppm(main[i]);
    for (size_t i = 0; i < n_io; ++i) {
        if (io[i].utilization_ppm == 0)
            return Error{Errc::invalid_argument, "I/O VCPU utilization is zero"};
        if (io[i].utilization_ppm > PPM)
            return Error{Errc::invalid_argument, "I/O VCPU utilization above 1"};
        total += io[i].utilization_ppm; // both terms <= 65 * PPM: no overflow
        if (total > PPM) break;
    }
    if (total > PPM) return Error{Errc::invalid_argument, "Main plus I/O VCPU utilization above 1"};
    return total;
}

} // namespace kern
