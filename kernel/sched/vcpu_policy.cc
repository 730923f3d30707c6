// Lab 4, step 3: budget enforcement: which VCPU's thread runs, for how long, and when the
// scheduler must look again.
//
// The contracts are in sched/vcpu.h; the VCPU record and the per-CPU list in
// sched/vcpu_internal.h; the budget arithmetic is your sporadic server (step 1,
// core/sched/sporadic_server.h). The scheduler (sched/scheduler.cc) calls these functions and
// arms its one-shot timer at the earliest of vcpu_next_event(), the next sleeper's wake-up
// and the background time slice.
#include "sched/vcpu_internal.h"

namespace kern {

void vcpu_enqueue(Vcpu& v, QueueNode* n) {
    // TODO(lab4)
    (void)v;
    (void)n;
}

QueueNode* vcpu_pick(unsigned cpu, uint64_t now) {
    // TODO(lab4)
    (void)cpu;
    (void)now;
    return nullptr;
}

bool vcpu_has_ready(unsigned cpu, uint64_t now) {
    // TODO(lab4)
    (void)cpu;
    (void)now;
    return false;
}

void vcpu_start(Vcpu& v, uint64_t now) {
    // TODO(lab4)
    (void)v;
    (void)now;
}

void vcpu_charge(Vcpu& v, uint64_t from, uint64_t to) {
    // TODO(lab4)
    (void)v;
    (void)from;
    (void)to;
}

void vcpu_replenish(unsigned cpu, uint64_t now) {
    // TODO(lab4)
    (void)cpu;
    (void)now;
}

uint64_t vcpu_next_event(unsigned cpu, Vcpu* running, uint64_t now) {
    // TODO(lab4)
    (void)cpu;
    (void)running;
    (void)now;
    return UINT64_MAX;
}

} // namespace kern
