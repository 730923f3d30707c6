// Virtual CPUs: creation after admission control (core/sched/admission.h, lab 4), the per-CPU
// lists in rate-monotonic order, retirement, statistics. Which VCPU runs and for how long is
// lab 4's policy (vcpu_policy.cc).
#include "sched/vcpu.h"

#include "sched/vcpu_internal.h"

#include "arch/x86_64/percpu.h"
#include "core/sched/admission.h"
#include "panic.h"
#include "sync/spinlock.h"
#include "sync/thread_lock.h"

#include <new>

namespace kern {

namespace {
constexpr unsigned MAX_VCPUS_PER_CPU = 16;
alignas(Vcpu) uint8_t g_storage[MAX_CPUS][MAX_VCPUS_PER_CPU][sizeof(Vcpu)];
volatile bool g_slot_used[MAX_CPUS][MAX_VCPUS_PER_CPU];
Vcpu* g_by_priority[MAX_CPUS]; // shortest period first (rm_higher_priority)
// Serializes changes to a CPU's list: inserts (any CPU) and unlinks (the owner). The owner
// reads the list without it: a node is published with one pointer store and unlinked nodes
// keep their `next`, so a reader never follows a dangling link.
Spinlock g_list_lock[MAX_CPUS];
// Serializes vcpu_create(), whose admission test (response-time analysis over the CPU's VCPUs)
// takes thousands of cycles: interrupts stay on meanwhile (a real-time thread's timer must not
// wait behind another program's VCPU being admitted; that wait was seen at 9,400 cycles).
ThreadLock g_create_lock;

Vcpu& vcpu_at(unsigned cpu, unsigned i) {
    return *reinterpret_cast<Vcpu*>(g_storage[cpu][i]);
}
} // namespace

Result<Vcpu*> vcpu_create(unsigned cpu, uint64_t budget, uint64_t period, const char* name) {
    if (cpu >= MAX_CPUS || !g_percpu[cpu].online)
        return Error{Errc::invalid_argument, "vcpu_create: that CPU is not online"};
    VcpuParams p{budget, period};
    TRY_VOID(validate_params(p));
    ThreadLockGuard g(g_create_lock);
    // Admission control over the CPU's live VCPUs plus the new one (Liu & Layland, then RTA).
    VcpuParams set[MAX_VCPUS_PER_CPU + 1];
    unsigned n = 0, slot = MAX_VCPUS_PER_CPU;
    for (unsigned i = 0; i < MAX_VCPUS_PER_CPU; ++i) {
        if (!g_slot_used[cpu][i]) {
            slot = slot == MAX_VCPUS_PER_CPU ? i : slot;
            continue;
        }
        if (!vcpu_at(cpu, i).dead) set[n++] = vcpu_at(cpu, i).server.params();
    }
    if (slot == MAX_VCPUS_PER_CPU)
        return Error{Errc::no_memory, "vcpu_create: too many VCPUs on this CPU"};
    set[n] = p;
    AdmissionReport report;
    TRY_VOID(admit(set, n + 1, report));

    Vcpu* v = new (g_storage[cpu][slot]) Vcpu(cpu, p);
    g_slot_used[cpu][slot] = true;
    static unsigned g_serial;
    v->index = g_serial++;
    v->stats.budget = budget;
    v->stats.period = period;
    for (size_t i = 0; name && name[i] && i < sizeof v->name - 1; ++i)
        v->name[i] = name[i];
    SpinlockGuard lg(g_list_lock[cpu]);
    Vcpu** link = &g_by_priority[cpu];
    while (*link &&
           rm_higher_priority((*link)->server.params().period, (*link)->index, period, v->index))
        link = &(*link)->next;
    v->next = *link;
    __atomic_store_n(link, v, __ATOMIC_RELEASE);
    return v;
}

void vcpu_destroy(Vcpu& v) {
    __atomic_store_n(&v.dead, true, __ATOMIC_RELEASE);
}

Vcpu* vcpu_list(unsigned cpu) {
    return g_by_priority[cpu];
}

void vcpu_reap(unsigned cpu) {
    for (Vcpu** link = &g_by_priority[cpu]; *link;) {
        Vcpu* v = *link;
        if (v->dead && !__atomic_load_n(&v->threads, __ATOMIC_ACQUIRE) && !v->running) {
            SpinlockGuard lg(g_list_lock[cpu]);
            *link = v->next; // v->next stays valid for anyone still looking at v
            g_slot_used[cpu][(reinterpret_cast<uint8_t*>(v) - g_storage[cpu][0]) / sizeof(Vcpu)] =
                false;
            continue;
        }
        link = &v->next;
    }
}

void vcpu_bind(Vcpu& v) {
    __atomic_fetch_add(&v.threads, 1, __ATOMIC_ACQ_REL);
}
void vcpu_unbind(Vcpu& v) {
    __atomic_fetch_sub(&v.threads, 1, __ATOMIC_ACQ_REL);
}

VcpuStats vcpu_stats(const Vcpu& v) {
    return v.stats;
}
uint64_t vcpu_budget(const Vcpu& v) {
    return v.server.budget();
}

void vcpu_account_delegated(Vcpu& v, uint64_t cycles) {
    __atomic_fetch_add(&v.stats.delegated_wait, cycles, __ATOMIC_RELAXED);
    __atomic_fetch_add(&v.stats.delegated_calls, 1, __ATOMIC_RELAXED);
}
void vcpu_charge_wait(Vcpu& v, uint64_t now, uint64_t cycles) {
    if (!cycles) return;
    v.server.start(now - cycles); // the chunk began when the wait did: replenished a T later
    v.server.consume(now, cycles);
    v.stats.consumed += cycles;
    v.stats.delegated_charged += cycles;
}
void vcpu_report_miss(Vcpu& v) {
    __atomic_fetch_add(&v.stats.deadline_misses, 1, __ATOMIC_RELAXED);
}
unsigned vcpu_cpu(const Vcpu& v) {
    return v.cpu;
}

} // namespace kern
