// Admission control for Main and I/O VCPUs on one physical CPU (lab 4).
//
// Before the kernel creates a VCPU it asks: with this VCPU added, does every Main VCPU still
// get its budget C before the end of each period T (its deadline), whatever the others do?
// Main VCPUs are scheduled rate-monotonically (RM): the shorter the period, the higher the
// priority; equal periods are ordered by index, lower index first (rm_higher_priority). A
// sporadic server behaves, for the VCPUs below it, no worse than a periodic task (C, T)
// (Sprunt, Sha, Lehoczky 1989), so the classic periodic-task tests apply:
//
//  1. Liu & Layland utilization bound (Liu, Layland, "Scheduling Algorithms for
//     Multiprogramming in a Hard-Real-Time Environment", JACM 1973, Theorem 5): n tasks are
//     schedulable under RM if U = sum C_i/T_i <= n(2^(1/n) - 1). Cheap, sufficient, not
//     necessary: it is 0.828 for n = 2 and tends to ln 2 = 0.693.
//  2. Exact response-time analysis (Joseph, Pandya 1986; Audsley, Burns, Richardson,
//     Tindell, Wellings 1993): the worst-case response time of VCPU i is the smallest fixed
//     point of R = C_i + sum over higher-priority j of ceil(R / T_j) * C_j, and the set is
//     schedulable iff R_i <= T_i for every i.
//
// Everything is integer arithmetic (the kernel has no FPU state): utilizations are in parts
// per million (PPM), rounded so that the test can only be too strict, never too lenient.
#pragma once

#include "core/result.h"
#include "core/sched/vcpu_params.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// The most Main VCPUs one physical CPU accepts; also the size of AdmissionReport's table.
inline constexpr size_t MAX_VCPUS = 64;
/// AdmissionReport::first_failing when no VCPU fails.
inline constexpr size_t NO_VCPU = SIZE_MAX;
/// A response time that exceeds the period (the VCPU can miss its deadline).
inline constexpr uint64_t RESPONSE_TIME_MISSED = UINT64_MAX;

/// floor(n * (2^(1/n) - 1) * PPM) for n = 1..MAX_VCPUS (index 0 unused): the Liu & Layland
/// bound rounded down, computed offline with 50 decimal digits.
inline constexpr uint32_t LIU_LAYLAND_BOUND_PPM[MAX_VCPUS + 1] = {
    1000000, 1000000, 828427, 779763, 756828, 743491, 734772, 728626, 724061, 720537, 717734,
    715451,  713557,  711958, 710592, 709411, 708380, 707472, 706666, 705945, 705298, 704713,
    704182,  703697,  703253, 702845, 702469, 702121, 701797, 701497, 701216, 700954, 700708,
    700478,  700260,  700056, 699863, 699680, 699507, 699343, 699187, 699039, 698898, 698763,
    698635,  698513,  698395, 698283, 698176, 698072, 697973, 697878, 697787, 697699, 697614,
    697533,  697454,  697378, 697305, 697234, 697166, 697100, 697036, 696974, 696914};
/// floor(ln 2 * PPM): the bound's limit as n grows, below every entry of the table.
inline constexpr uint32_t LIU_LAYLAND_LIMIT_PPM = 693147;

/// The Liu & Layland bound for @p n tasks in PPM, rounded down; PPM for n = 0.
constexpr uint32_t liu_layland_bound_ppm(size_t n) {
    if (n == 0) return PPM;
    return n <= MAX_VCPUS ? LIU_LAYLAND_BOUND_PPM[n] : LIU_LAYLAND_LIMIT_PPM;
}

/// The RM priority order used by the analysis and the scheduler alike: VCPU j (period
/// @p period_j, index @p j) is served before VCPU i (period @p period_i, index @p i) if its
/// period is shorter, or equal with a lower index.
/// @param period_j T_j
/// @param j index of VCPU j in its set
/// @param period_i T_i
/// @param i index of VCPU i in its set
constexpr bool rm_higher_priority(uint64_t period_j, size_t j, uint64_t period_i, size_t i) {
    return period_j < period_i || (period_j == period_i && j < i);
}

/// Which test admitted a set.
enum class AdmissionTest : uint8_t {
    none,              ///< refused
    utilization_bound, ///< U <= the Liu & Layland bound
    response_time,     ///< the bound failed, but every R_i <= T_i
};

/// What admit() found out about a set, filled in even when the set is refused.
struct AdmissionReport {
    AdmissionTest admitted_by = AdmissionTest::none; ///< none if refused
    uint64_t utilization_ppm = 0;   ///< sum of utilization_ppm() over the set (rounded up)
    uint32_t bound_ppm = 0;         ///< liu_layland_bound_ppm(n)
    size_t first_failing = NO_VCPU; ///< lowest index that is invalid or misses its deadline
    size_t count = 0; ///< entries of response_time that are meaningful (n once params are valid)
    uint64_t response_time[MAX_VCPUS] = {}; ///< R_i, or RESPONSE_TIME_MISSED if R_i > T_i
};

/// Check one Main VCPU's parameters: Errc::invalid_argument with "VCPU period is zero",
/// "VCPU budget is zero" or "VCPU budget exceeds its period".
Result<void> validate_params(const VcpuParams& p);

/// ceil(C * PPM / T): the VCPU's share of the CPU in PPM, rounded up (never under-counts).
/// Exact for every valid @p p, even with C and T near 2^64, without 128-bit division.
uint64_t utilization_ppm(const VcpuParams& p);

/// Worst-case response time of VCPU @p i when the @p n VCPUs of @p set share one CPU under
/// RM (rm_higher_priority), all released together (the critical instant): the fixed point of
/// R = C_i + sum_j ceil(R / T_j) * C_j, iterating from R = C_i. Returns RESPONSE_TIME_MISSED
/// as soon as R exceeds T_i; no intermediate value overflows. Precondition: every entry of
/// @p set is valid and i < n.
/// @param set the VCPUs' parameters
/// @param n number of VCPUs in @p set
/// @param i the VCPU whose response time is wanted
uint64_t response_time(const VcpuParams* set, size_t n, size_t i);

/// Decide whether the @p n Main VCPUs of @p set fit on one CPU. Checks, in order:
///  - set non-null (unless n = 0) and n <= MAX_VCPUS ("VCPU set is null", "too many VCPUs
///    on one CPU"), then validate_params on each (first_failing = the bad index);
///  - the total utilization is above 1 for certain (the sum of each share rounded *down*
///    exceeds PPM): refused, "utilization above 1";
///  - the sum of each share rounded *up* is <= liu_layland_bound_ppm(n): admitted by
///    AdmissionTest::utilization_bound;
///  - otherwise every response time <= its period: admitted by AdmissionTest::response_time,
///    else refused, "response time exceeds period".
/// Refusals are Errc::invalid_argument. Once the parameters are valid, @p report holds the
/// utilization, the bound and every response time, whatever the verdict.
/// @param set the VCPUs' parameters, in any order
/// @param n number of VCPUs; 0 is admitted
/// @param report filled in as described
Result<void> admit(const VcpuParams* set, size_t n, AdmissionReport& report);

/// I/O VCPU bandwidth check: the Main VCPUs' utilizations (each rounded up) plus the I/O
/// VCPUs' utilizations must not exceed PPM; returns that total. An I/O VCPU's bandwidth is
/// consumed on top of the Main VCPUs' (Quest charges it as a task with C = U_io * T_main),
/// so this is the necessary condition "the CPU is not over-committed"; to include an I/O
/// VCPU in the RM analysis as well, pass {U_io * T, T} for the Main VCPU it serves to admit().
/// Errc::invalid_argument: Main parameters as for admit(), "I/O VCPU set is null",
/// "I/O VCPU utilization is zero",
/// "I/O VCPU utilization above 1", "Main plus I/O VCPU utilization above 1".
/// @param main the Main VCPUs' parameters
/// @param n_main number of Main VCPUs
/// @param io the I/O VCPUs' parameters
/// @param n_io number of I/O VCPUs
Result<uint64_t> check_io_bandwidth(const VcpuParams* main, size_t n_main, const IoVcpuParams* io,
                                    size_t n_io);

} // namespace kern
