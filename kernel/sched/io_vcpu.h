// I/O VCPUs (after the Quest RTOS): interrupt bottom halves run on a VCPU of their own, with their
// own bandwidth, so that a device, or a Linux slave ringing its doorbell, can take no more of a
// CPU than that bandwidth, whoever the interrupt happened to land on.
//
//   top half (interrupt or exit handler, any CPU, interrupts off): io_vcpu_post(io, fn, arg)
//       queues the work and wakes the bottom-half thread (at most one wake-up while it has
//       work pending: a storm of posts costs one IPI, not one each)
//   bottom half (the I/O VCPU's thread): runs fn(arg) for each queued item, in order, charged
//       to the I/O VCPU: a sporadic server with budget U * T and period T, admitted with the
//       Main VCPUs of its CPU (rate-monotonic analysis), so the CPU's real-time threads keep
//       their guarantees whatever the device does
//
// Quest lets an I/O VCPU take the period of the Main VCPU it serves; here the period is fixed
// when it is created (the kit's one interrupt source, the delegation doorbell, serves callers
// of any period).
#pragma once

#include "core/result.h"

#include <stdint.h>

namespace kern {

struct IoVcpu;

/// Counters of an I/O VCPU.
struct IoVcpuStats {
    uint64_t posted;   ///< work items queued by top halves
    uint64_t run;      ///< work items its thread ran
    uint64_t dropped;  ///< posts refused because the queue was full
    uint64_t wakeups;  ///< times the top half woke the thread
    uint64_t consumed; ///< cycles charged to its budget
    uint64_t budget;   ///< parameter C = U * T (cycles)
    uint64_t period;   ///< parameter T (cycles)
};

/// An I/O VCPU on `cpu` with utilization `ppm` (parts per million) and period `period` (cycles),
/// and its bottom-half thread. Admission control as for vcpu_create(): the error says why a
/// CPU cannot take it.
Result<IoVcpu*> io_vcpu_create(unsigned cpu, uint32_t ppm, uint64_t period, const char* name);

/// Queue `fn(arg)` for the bottom-half thread of `io`. From any CPU and any context (interrupt
/// handlers and VM-exit handlers included); false if the queue is full (the post is counted as
/// dropped: the top half must cope, e.g. by posting again later).
bool io_vcpu_post(IoVcpu& io, void (*fn)(void*), void* arg);

/// Counters of `io`.
IoVcpuStats io_vcpu_stats(const IoVcpu& io);

} // namespace kern
