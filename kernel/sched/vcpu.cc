// Virtual CPUs: per-CPU lists in rate-monotonic order, budget accounting through the sporadic
// server (core/sched/sporadic_server.h, lab 4), admission control (core/sched/admission.h).
#include "sched/vcpu.h"

#include "arch/x86_64/percpu.h"
#include "panic.h"
#include "sync/spinlock.h"

namespace kern {

struct Vcpu {
    unsigned cpu = 0;
    char name[24] = {};
    uint64_t budget = 0, period = 0;
    // Budget state. TODO(integration): replaced by the lab-4 SporadicServer.
    uint64_t remaining = 0;
    uint64_t period_start = 0;
    FifoQueue ready;           // its ready threads
    Vcpu* next = nullptr;      // next lower-priority VCPU on the same CPU
    VcpuStats stats{};
};

namespace {
constexpr unsigned MAX_VCPUS_PER_CPU = 16;
Vcpu g_vcpus[MAX_CPUS][MAX_VCPUS_PER_CPU];
unsigned g_vcpu_count[MAX_CPUS];
Vcpu* g_by_priority[MAX_CPUS]; // list head: shortest period first
Spinlock g_create_lock;

void replenish_one(Vcpu& v, uint64_t now) {
    if (now >= v.period_start + v.period) {
        uint64_t periods = (now - v.period_start) / v.period;
        v.period_start += periods * v.period;
        v.remaining = v.budget;
    }
}
} // namespace

Result<Vcpu*> vcpu_create(unsigned cpu, uint64_t budget, uint64_t period, const char* name) {
    if (cpu >= MAX_CPUS)
        return Error{Errc::invalid_argument, "vcpu_create: no such CPU"};
    if (period == 0 || budget == 0 || budget > period)
        return Error{Errc::invalid_argument, "vcpu_create: need 0 < budget <= period"};
    SpinlockGuard g(g_create_lock);
    if (g_vcpu_count[cpu] == MAX_VCPUS_PER_CPU)
        return Error{Errc::no_memory, "vcpu_create: too many VCPUs on this CPU"};
    Vcpu& v = g_vcpus[cpu][g_vcpu_count[cpu]++];
    v.cpu = cpu;
    v.budget = v.remaining = budget;
    v.period = period;
    v.stats.budget = budget;
    v.stats.period = period;
    for (size_t i = 0; name && name[i] && i < sizeof v.name - 1; ++i)
        v.name[i] = name[i];
    Vcpu** link = &g_by_priority[cpu];
    while (*link && (*link)->period <= period)
        link = &(*link)->next;
    v.next = *link;
    *link = &v;
    return &v;
}

void vcpu_enqueue(Vcpu& v, QueueNode* n) { v.ready.push_back(n); }

QueueNode* vcpu_pick(unsigned cpu, uint64_t) {
    for (Vcpu* v = g_by_priority[cpu]; v; v = v->next)
        if (!v->ready.empty() && v->remaining > 0)
            return v->ready.pop_front();
    return nullptr;
}

bool vcpu_has_ready(unsigned cpu, uint64_t) {
    for (Vcpu* v = g_by_priority[cpu]; v; v = v->next)
        if (!v->ready.empty() && v->remaining > 0)
            return true;
    return false;
}

void vcpu_start(Vcpu&, uint64_t) {}

void vcpu_charge(Vcpu& v, uint64_t from, uint64_t to) {
    uint64_t used = to - from;
    v.stats.consumed += used;
    v.remaining = used >= v.remaining ? 0 : v.remaining - used;
}

void vcpu_replenish(unsigned cpu, uint64_t now) {
    for (Vcpu* v = g_by_priority[cpu]; v; v = v->next)
        replenish_one(*v, now);
}

uint64_t vcpu_next_event(unsigned cpu, Vcpu* running, uint64_t now) {
    uint64_t at = UINT64_MAX;
    if (running)
        at = now + running->remaining;
    for (Vcpu* v = g_by_priority[cpu]; v; v = v->next)
        if (v->remaining == 0 || !v->ready.empty()) {
            uint64_t r = v->period_start + v->period;
            at = r < at ? r : at;
        }
    return at;
}

VcpuStats vcpu_stats(const Vcpu& v) { return v.stats; }
void vcpu_report_miss(Vcpu& v) { __atomic_fetch_add(&v.stats.deadline_misses, 1, __ATOMIC_RELAXED); }
unsigned vcpu_cpu(const Vcpu& v) { return v.cpu; }

} // namespace kern
