// Bringing up the APs: the trampoline, per-CPU stacks, the C++ entry of each AP, and IPIs.
#include "arch/x86_64/smp/smp.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp/trampoline_defs.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/time/clock.h"
#include "arch/x86_64/trap.h"
#include "console/console.h"
#include "core/acpi/madt.h"
#include "core/atomic.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "panic.h"
#include "sched/thread.h"

extern "C" char trampoline_start[], trampoline_end[], trampoline_params[];

namespace kern {

namespace {
constexpr size_t AP_STACK_SIZE = 16384;
alignas(16) uint8_t g_ap_stacks[MAX_CPUS][AP_STACK_SIZE];

/// The parameter block at the end of the trampoline (trampoline.S).
struct TrampolineParams {
    uint64_t cr3, stack, percpu, entry;
};
static_assert(sizeof(TrampolineParams) == 32);

/// TSC at which each CPU last answered a ping: written by that CPU, polled by the pinger.
Atomic<uint64_t> g_pong[MAX_CPUS];

void on_ping(TrapFrame&) {
    g_pong[this_cpu().index].store(cpu::rdtsc(), MemoryOrder::release);
    lapic::eoi();
}

void on_halt(TrapFrame&) {
    cpu::halt_forever();
}

/// Set by the BSP once its scheduler runs: the APs may start theirs.
Atomic<bool> g_schedulers_go;
/// APs whose scheduler is initialized.
Atomic<unsigned> g_schedulers_up;

/// Where every AP lands in 64-bit mode, on its own stack, with the BSP's page tables.
extern "C" [[noreturn]] void ap_entry(PerCpu* self) {
    gdt_init_cpu(*self);
    idt_load();
    cpu_enable_nx();
    lapic::init_cpu();
    self->tsc_at_online = cpu::rdtsc();
    // Counted before it says it is online: the release store publishes the count too.
    __atomic_fetch_add(&g_cpus_online, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&self->online, true, __ATOMIC_RELEASE); // the BSP waits in start_ap()
    cpu::sti();
    // Wait until the BSP lets the APs schedule (after its own scheduler is up), then this
    // context becomes the AP's idle thread.
    while (!g_schedulers_go.load(MemoryOrder::acquire))
        cpu::hlt();
    cpu::cli();
    syscall_init_cpu();
    sched_init_cpu();
    g_schedulers_up.fetch_add(1, MemoryOrder::release); // its scheduler state is ready
    sched_idle_loop();
}
} // namespace

unsigned smp_start_aps(const acpi::MadtInfo& madt, unsigned max_cpus) {
    trap_register(IPI_PING, on_ping);
    trap_register(IPI_HALT, on_halt);
    size_t len = size_t(trampoline_end - trampoline_start);
    memcpy(reinterpret_cast<void*>(TRAMPOLINE_PHYS), trampoline_start, len);
    auto* params = reinterpret_cast<TrampolineParams*>(TRAMPOLINE_PHYS +
                                                       (trampoline_params - trampoline_start));

    uint32_t bsp_id = lapic::id();
    g_percpu[0].apic_id = bsp_id;
    unsigned next = 1;
    for (uint32_t i = 0; i < madt.cpu_count; ++i) {
        const acpi::MadtCpu& c = madt.cpus[i];
        if (!c.enabled || c.apic_id == bsp_id) continue;
        if (next >= max_cpus || next >= MAX_CPUS) {
            kprintf("smp: CPU with APIC id %u left halted (limit of %u CPUs)\n", c.apic_id,
                    max_cpus < MAX_CPUS ? max_cpus : MAX_CPUS);
            continue;
        }
        if (!lapic::x2apic() && c.apic_id > 0xFF) {
            kprintf("smp: CPU with APIC id %u needs x2APIC; left halted\n", c.apic_id);
            continue;
        }
        PerCpu& pc = g_percpu[next];
        pc.index = next;
        pc.apic_id = c.apic_id;
        __atomic_store_n(&pc.online, false, __ATOMIC_RELAXED); // the AP is not running yet
        params->cr3 = cpu::read_cr3();
        params->stack = reinterpret_cast<uint64_t>(&g_ap_stacks[next][AP_STACK_SIZE]);
        params->percpu = reinterpret_cast<uint64_t>(&pc);
        params->entry = reinterpret_cast<uint64_t>(&ap_entry);
        uint64_t t0 = cpu::rdtsc();
        auto r = start_ap(c.apic_id, TRAMPOLINE_PHYS >> 12, &pc.online, 100000);
        if (!r.ok()) {
            kprintf("smp: CPU with APIC id %u did not start: %s\n", c.apic_id, r.error().what);
            continue;
        }
        kprintf("smp: CPU %u (APIC id %u) online after %lu TSC ticks\n", next, c.apic_id,
                pc.tsc_at_online - t0);
        ++next;
    }
    return cpus_online();
}

void smp_start_schedulers() {
    g_schedulers_go.store(true, MemoryOrder::release);
    unsigned online = cpus_online();
    for (unsigned i = 1; i < online; ++i) // wake them from hlt
        lapic::send_ipi(g_percpu[i].apic_id, lapic::FIXED | lapic::ICR_LEVEL_ASSERT | IPI_PING);
    uint64_t t0 = cpu::rdtsc();
    while (g_schedulers_up.load(MemoryOrder::acquire) + 1 < online) {
        if (g_clock.tsc_hz && cpu::rdtsc() - t0 > g_clock.tsc_hz)
            PANIC("an AP did not start its scheduler within a second");
        cpu::pause();
    }
}

Result<uint64_t> smp_ping(unsigned target, uint64_t timeout_us) {
    if (target >= MAX_CPUS || !__atomic_load_n(&g_percpu[target].online, __ATOMIC_ACQUIRE))
        return Error{Errc::invalid_argument, "smp_ping: no such CPU online"};
    uint64_t before = g_pong[target].load(MemoryOrder::acquire);
    uint64_t t0 = cpu::rdtsc();
    lapic::send_ipi(g_percpu[target].apic_id, lapic::FIXED | lapic::ICR_LEVEL_ASSERT | IPI_PING);
    uint64_t limit =
        g_clock.tsc_hz ? g_clock.tsc_hz / 1000000 * timeout_us : uint64_t(timeout_us) * 1000;
    uint64_t pong;
    while ((pong = g_pong[target].load(MemoryOrder::acquire)) == before) {
        if (cpu::rdtsc() - t0 > limit)
            return Error{Errc::timeout, "smp_ping: the CPU did not answer"};
        cpu::pause();
    }
    return pong - t0;
}

} // namespace kern
