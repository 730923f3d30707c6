// VCPU reservations: the parameters the scheduler and the admission test share (lab 4).
//
// As in Quest (Danish, Li, West, "Virtual-CPU scheduling in the Quest operating system",
// RTAS 2011), every thread is bound to a VCPU, and VCPUs, not threads, are what the kernel
// schedules on a physical CPU:
//  - a Main VCPU is a sporadic server with budget C and period T: it may run for at most C
//    cycles in any window of T cycles (core/sched/sporadic_server.h). Main VCPUs are ordered
//    rate-monotonically, shorter period first (core/sched/admission.h);
//  - an I/O VCPU runs interrupt bottom halves on behalf of Main VCPUs and is limited by a
//    bandwidth, a fraction of the CPU, rather than by its own (C, T).
// All times are TSC cycles.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Fixed-point scale for utilizations: parts per million, so 1'000'000 means the whole CPU.
inline constexpr uint64_t PPM = 1'000'000;

/// Which kind of reservation a VCPU has.
enum class VcpuKind : uint8_t {
    main, ///< a sporadic server with budget C and period T, for threads
    io,   ///< a bandwidth-limited server for interrupt bottom halves
};

/// A Main VCPU's reservation: at most `budget` cycles in any window of `period` cycles.
/// Valid when 0 < budget <= period (see validate_params in core/sched/admission.h).
struct VcpuParams {
    uint64_t budget; ///< C: cycles of CPU time per period
    uint64_t period; ///< T: the replenishment period, also the deadline, in cycles
};

/// An I/O VCPU's reservation: a fraction of the CPU, in parts per million, 0 < U <= PPM.
/// Quest charges an I/O VCPU as if it were a periodic task with C = U * T, where T is the
/// period of the Main VCPU whose I/O it is serving at the time.
struct IoVcpuParams {
    uint64_t utilization_ppm; ///< U_io * 1'000'000
};

} // namespace kern
