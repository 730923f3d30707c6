#include "sched/io_vcpu.h"

#include "arch/x86_64/cpu.h"
#include "mem/kmalloc.h"
#include "sched/thread.h"
#include "sched/vcpu.h"
#include "sync/spinlock.h"

#include <new>

namespace kern {

struct IoVcpu {
    static constexpr unsigned QUEUE = 32;
    struct Item {
        void (*fn)(void*);
        void* arg;
    };
    Vcpu* vcpu = nullptr;
    Thread* thread = nullptr;
    Spinlock lock;
    Item queue[QUEUE] = {};
    unsigned head = 0, count = 0;
    volatile bool pending = false; // work queued and the thread told (sleep_until_unless's flag)
    IoVcpuStats stats{};
};

namespace {

/// A wait with no deadline of its own: some 3.5 years at 10 GHz (a flag ends it).
constexpr uint64_t FOREVER_CYCLES = 1'000'000'000'000'000'000ull;

void bottom_halves(void* p) {
    IoVcpu& io = *static_cast<IoVcpu*>(p);
    for (;;) {
        // Sleep until a top half posts (the flag ends the wait at once).
        uint64_t far = cpu::rdtsc() + FOREVER_CYCLES;
        sleep_until_unless(far, &io.pending);
        for (;;) {
            IoVcpu::Item it{};
            {
                SpinlockGuard g(io.lock);
                if (io.count == 0) {
                    io.pending = false; // the next post wakes us again
                    break;
                }
                it = io.queue[io.head];
                io.head = (io.head + 1) % IoVcpu::QUEUE;
                --io.count;
            }
            it.fn(it.arg); // on the I/O VCPU's budget, interrupts on
            __atomic_fetch_add(&io.stats.run, 1, __ATOMIC_RELAXED);
        }
    }
}

} // namespace

Result<IoVcpu*> io_vcpu_create(unsigned cpu, uint32_t ppm, uint64_t period, const char* name) {
    if (ppm == 0 || ppm > 1000000)
        return Error{Errc::invalid_argument, "io_vcpu_create: utilization must be in (0, 1]"};
    uint64_t budget = period / 1000000 * ppm + (period % 1000000) * ppm / 1000000;
    Vcpu* v = TRY(vcpu_create(cpu, budget ? budget : 1, period, name));
    auto* io = new (kmalloc(sizeof(IoVcpu))) IoVcpu;
    if (!io) {
        vcpu_destroy(*v);
        return Error{Errc::no_memory, "io_vcpu_create: no memory"};
    }
    io->vcpu = v;
    io->stats.budget = budget;
    io->stats.period = period;
    ThreadOptions o;
    o.name = name;
    o.cpu = cpu;
    o.vcpu = v;
    o.detached = true;
    auto t = thread_create(bottom_halves, io, o);
    if (!t.ok()) {
        vcpu_destroy(*v);
        kfree(io);
        return t.error();
    }
    io->thread = t.value();
    return io;
}

bool io_vcpu_post(IoVcpu& io, void (*fn)(void*), void* arg) {
    bool wake = false;
    {
        SpinlockGuard g(io.lock);
        if (io.count == IoVcpu::QUEUE) {
            ++io.stats.dropped;
            return false;
        }
        io.queue[(io.head + io.count) % IoVcpu::QUEUE] = IoVcpu::Item{fn, arg};
        ++io.count;
        ++io.stats.posted;
        if (!io.pending) { // one wake-up per batch: a storm of posts costs one IPI
            io.pending = true;
            wake = true;
            ++io.stats.wakeups;
        }
    }
    if (wake) thread_wake(io.thread);
    return true;
}

IoVcpuStats io_vcpu_stats(const IoVcpu& io) {
    IoVcpuStats s = io.stats;
    s.consumed = vcpu_stats(*io.vcpu).consumed;
    return s;
}

} // namespace kern
