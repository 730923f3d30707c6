// Lab 4, step 3: budget enforcement: which VCPU's thread runs, for how long, and when the
// scheduler must look again (contracts in sched/vcpu.h).
#include "sched/vcpu_internal.h"

namespace kern {

namespace {
/// A VCPU may run now: it has a ready thread and budget.
bool runnable(const Vcpu& v) {
    return !v.ready.empty() && !v.server.exhausted();
}
} // namespace

void vcpu_enqueue(Vcpu& v, QueueNode* n) {
    v.ready.push_back(n);
}

QueueNode* vcpu_pick(unsigned cpu, uint64_t) {
    for (Vcpu* v = vcpu_list(cpu); v; v = v->next)
        if (runnable(*v)) return v->ready.pop_front();
    return nullptr;
}

bool vcpu_has_ready(unsigned cpu, uint64_t) {
    for (Vcpu* v = vcpu_list(cpu); v; v = v->next)
        if (runnable(*v)) return true;
    return false;
}

void vcpu_start(Vcpu& v, uint64_t now) {
    v.server.start(now);
    v.running = true;
}

void vcpu_charge(Vcpu& v, uint64_t from, uint64_t to) {
    uint64_t used = to - from;
    if (used > v.server.budget() && !v.ready.empty()) ++v.stats.overruns;
    v.server.consume(to, used);
    v.stats.consumed += used;
    v.running = false;
}

void vcpu_replenish(unsigned cpu, uint64_t now) {
    for (Vcpu* v = vcpu_list(cpu); v; v = v->next)
        v->server.replenish(now);
}

uint64_t vcpu_next_event(unsigned cpu, Vcpu* running, uint64_t now) {
    uint64_t at = UINT64_MAX;
    // The running VCPU: the instant its budget runs out. Replenishments due before then only
    // extend it; they are applied when the timer fires, so they need no timer of their own.
    // (Setting one for each would split every run into chunks at the previous period's chunk
    // boundaries, which then come back one period later: an interrupt storm that never ends.)
    if (running) at = now + running->server.budget();
    // A VCPU with work but no budget: the replenishment that lets it run again.
    for (Vcpu* v = vcpu_list(cpu); v; v = v->next) {
        if (v != running && !v->ready.empty() && v->server.exhausted() && v->server.pending()) {
            uint64_t r = v->server.next_replenishment();
            at = r < at ? r : at;
        }
    }
    return at;
}

} // namespace kern
