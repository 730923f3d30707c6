// The boot stages after the CPU tables, in order. Each stage prints what it found, so a
// student can compare a boot log with the handout, and ends with an `@@ boot stage=` marker.
#include "boot_stages.h"

#include "arch/x86_64/apic/ioapic.h"
#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp/smp.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/arch/msr.h"
#include "hooks.h"
#include "mem/memory.h"
#include "panic.h"
#include "platform.h"
#include "sched/thread.h"
#include "test/report.h"

namespace kern {

acpi::MadtInfo g_madt;
acpi::FadtInfo g_fadt;

namespace {

const uint8_t* identity_map(void*, uint64_t phys, size_t len) {
    // Everything below 4 GiB is identity-mapped (entry.S, then memory_init()).
    if (phys == 0 || phys + len > (uint64_t(1) << 32) || phys + len < phys) return nullptr;
    return reinterpret_cast<const uint8_t*>(phys);
}

/// Find the MADT and FADT. Missing ACPI is not fatal: the kernel falls back to one CPU and the
/// PIT, and says so.
void acpi_init() {
    acpi::PhysWindow mem{identity_map, nullptr};
    auto rsdp = g_boot.rsdp ? acpi::parse_rsdp(g_boot.rsdp, g_boot.rsdp_length)
                            : acpi::find_rsdp_legacy(mem);
    if (!rsdp.ok() && g_boot.rsdp) rsdp = acpi::find_rsdp_legacy(mem);
    if (!rsdp.ok()) {
        kprintf("acpi: no usable RSDP (%s): one CPU, PIT clock\n", rsdp.error().what);
        return;
    }
    kprintf("acpi: RSDP revision %u, OEM '%s'\n", rsdp.value().revision, rsdp.value().oem_id);
    if (auto madt = acpi::find_table(mem, rsdp.value(), "APIC"); madt.ok()) {
        if (auto r = acpi::parse_madt(madt.value().data, madt.value().length, g_madt); !r.ok()) {
            kprintf("acpi: MADT rejected: %s; continuing with one CPU\n", r.error().what);
            g_madt = acpi::MadtInfo{};
        }
    } else {
        kprintf("acpi: no MADT (%s); continuing with one CPU\n", madt.error().what);
    }
    if (auto fadt = acpi::find_table(mem, rsdp.value(), "FACP"); fadt.ok()) {
        if (auto f = acpi::parse_fadt(fadt.value().data, fadt.value().length); f.ok())
            g_fadt = f.value();
        else
            kprintf("acpi: FADT rejected: %s\n", f.error().what);
    }
    kprintf("acpi: %u CPU(s), %u IOAPIC(s), LAPIC at %#lx, PM timer port %#x (%s-bit)\n",
            g_madt.cpu_count, g_madt.ioapic_count, g_madt.lapic_address, g_fadt.pm_timer_port,
            g_fadt.pm_timer_32bit ? "32" : "24");
    for (uint32_t i = 0; i < g_madt.cpu_count; ++i)
        kprintf("acpi:   CPU APIC id %u%s%s\n", g_madt.cpus[i].apic_id,
                g_madt.cpus[i].enabled ? "" : " (disabled, online capable)",
                g_madt.cpus[i].x2apic ? " (x2APIC entry)" : "");
    for (uint32_t i = 0; i < g_madt.ioapic_count; ++i)
        kprintf("acpi:   IOAPIC id %u at %#x, GSIs from %u\n", g_madt.ioapics[i].id,
                g_madt.ioapics[i].address, g_madt.ioapics[i].gsi_base);
    for (uint32_t i = 0; i < g_madt.iso_count; ++i)
        kprintf("acpi:   ISA IRQ %u -> GSI %u (flags %#x)\n", g_madt.isos[i].source,
                g_madt.isos[i].gsi, g_madt.isos[i].flags);
}

/// The BIOS leaves the 8259 PICs unmasked; mask them so a stray PIT tick cannot arrive at
/// vector 8 (#DF) now that the LAPIC delivers interrupts (seen in Bochs: a PIT tick arrived as a
/// double fault; OSDev "8259 PIC").
void mask_legacy_pic() {
    cpu::outb(0x21, 0xFF);
    cpu::outb(0xA1, 0xFF);
}

void interrupts_time_smp_init() {
    acpi_init();
    mask_legacy_pic();
    ioapic::init(); // every device pin masked until a driver routes it
    lapic::choose_mode(g_madt.lapic_address);
    lapic::init_cpu();
    if (!lapic::mode_in_effect())
        kprintf("lapic: init_cpu() did not enable the LAPIC in the mode chosen (IA32_APIC_BASE "
                "%#lx); going on without its interrupts\n",
                cpu::rdmsr(x86::IA32_APIC_BASE));
    kprintf("lapic: %s mode, BSP APIC id %u%s\n", lapic::x2apic() ? "x2APIC" : "xAPIC", lapic::id(),
            lapic::has_tsc_deadline() ? ", TSC-deadline timer" : "");
    cpu::sti();

    clock_init(g_fadt.pm_timer_port, g_fadt.pm_timer_32bit);
    if (g_clock.tsc_hz == 0)
        kprintf("time: TSC calibration FAILED against the %s; delays use a 1 GHz guess\n",
                clock_source_name(g_clock.source));
    else
        kprintf("time: TSC %lu.%03lu MHz (measured against the %s%s), LAPIC timer %lu.%03lu MHz\n",
                g_clock.tsc_hz / 1000000, g_clock.tsc_hz / 1000 % 1000,
                clock_source_name(g_clock.source), g_clock.invariant_tsc ? ", invariant" : "",
                g_clock.lapic_timer_hz / 1000000, g_clock.lapic_timer_hz / 1000 % 1000);
    report_metric("tsc_hz", g_clock.tsc_hz, "hz");

    unsigned max_cpus = MAX_CPUS;
    if (const char* v = g_cmdline.get("cpus")) {
        unsigned n = 0;
        for (; *v >= '0' && *v <= '9'; ++v)
            n = n * 10 + unsigned(*v - '0');
        if (n >= 1) max_cpus = n;
    }
    uint64_t t0 = cpu::rdtsc();
    unsigned online = smp_start_aps(g_madt, max_cpus);
    uint64_t t1 = cpu::rdtsc();
    kprintf("smp: %u CPU(s) online\n", online);
    report_metric("cpus_online", online, "cpus");
    report_metric("boot_to_main", g_tsc_at_main, "cycles");
    report_metric("all_aps_up", t1 - t0, "cycles");
    report_metric("boot_to_smp", t1, "cycles");
}

} // namespace

BOOT_OPTION(cpus, "cpus=N: start at most N CPUs");

void boot_stages_run(void (*after_stage)(const char* suite)) {
    memory_init();
    report_line("boot stage=memory");
    after_stage("lab1");

    interrupts_time_smp_init();
    report_line("boot stage=smp");
    after_stage("lab2");

    syscall_init_cpu();
    sched_init_cpu(); // kernel_main goes on as the BSP's "main" thread
    smp_start_schedulers();
    report_line("boot stage=threads");
    after_stage("lab3");
    after_stage("lab4"); // real-time scheduling needs nothing more than threads

    run_late_init_hooks(); // the hypervisor (and later libos) join here
    report_line("boot stage=hypervisor");
    after_stage("lab5");
    after_stage("lab6");
    after_stage("hv");         // the hypervisor's own in-kernel tests (run loop)
    after_stage("bench");      // benchmarks of every layer, the hypervisor's included
    after_stage("entry_diff"); // the VM-entry checker against the CPU (Bochs)
}

} // namespace kern
