// Building the Linux slave: its RAM loaded with the kernel and initrd as the boot protocol
// wants them (boot_protocol.h, bzimage.h), its EPT, bitmaps and VMCS; and the machine behind
// its exit handlers.
#include "core/arch/msr.h"
#include "hypervisor/slave/slave_vm.h"

#include "arch/x86_64/apic/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/time/clock.h"
#include "console/console.h"
#include "core/format.h"
#include "core/mem/page.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/arch/x86_64/vmx_insn.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/io_msr_bitmaps.h"
#include "hypervisor/core/slave/bzimage.h"
#include "hypervisor/core/slave/linux_entry.h"
#include "hypervisor/core/slave/slave_layout.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "platform.h"

namespace hv {

namespace cpu = kern::cpu;
using kern::Errc;
using kern::Error;

namespace {
using namespace kern::x86;
constexpr uint32_t SYSCALL_MSRS[] = {IA32_STAR, IA32_LSTAR, IA32_CSTAR, IA32_FMASK,
                                     IA32_KERNEL_GS_BASE};
} // namespace

SyscallMsrs SyscallMsrs::read() {
    return {cpu::rdmsr(SYSCALL_MSRS[0]), cpu::rdmsr(SYSCALL_MSRS[1]), cpu::rdmsr(SYSCALL_MSRS[2]),
            cpu::rdmsr(SYSCALL_MSRS[3]), cpu::rdmsr(SYSCALL_MSRS[4])};
}

void SyscallMsrs::load() const {
    cpu::wrmsr(SYSCALL_MSRS[0], star);
    cpu::wrmsr(SYSCALL_MSRS[1], lstar);
    cpu::wrmsr(SYSCALL_MSRS[2], cstar);
    cpu::wrmsr(SYSCALL_MSRS[3], fmask);
    cpu::wrmsr(SYSCALL_MSRS[4], kernel_gs_base);
}

void KernelSlaveEnv::write_icr(uint64_t icr) {
    cpu::wrmsr(kern::x86::IA32_X2APIC_ICR, icr);
}

bool KernelSlaveEnv::absorb_stray_access(uint64_t gpa) {
    if (!sink->absorb(*ept, gpa).ok()) return false;
    // The old "not present" translation may be cached (SDM Vol 3C 29.4.3.3).
    return vmx_check(
        vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{ept->eptp(false), 0}),
        "INVEPT", "slave");
}

uint64_t KernelSlaveEnv::apic_base() {
    return cpu::rdmsr(kern::x86::IA32_APIC_BASE);
}

void KernelSlaveEnv::doorbell() {
    if (on_doorbell) on_doorbell();
}

void KernelSlaveEnv::startup_ipi(const StartupIpi& ipi) {
    // The target's thread (slave_smp.cc) waits for sipi_page; INIT arms it, the first SIPI
    // after an INIT starts it, a second SIPI (Linux sends two, SDM Vol 3A 9.4.4.1) is ignored
    // as a started CPU would.
    unsigned t = unsigned(ipi.target);
    if (t >= vm->ncpus || t == 0) return;
    if (ipi.kind == StartupIpi::init) vm->init_seen[t].store(true, kern::MemoryOrder::relaxed);
    if (ipi.kind == StartupIpi::startup && vm->init_seen[t].load(kern::MemoryOrder::relaxed)) {
        int32_t none = -1;
        vm->sipi_page[t].compare_exchange(none, int32_t(ipi.vector), kern::MemoryOrder::release,
                                          kern::MemoryOrder::relaxed);
    }
}

bool KernelSlaveEnv::interrupt_pending() {
    for (uint32_t i = 0; i < 8; ++i) // IRR bits 255:0 (SDM Vol 3A 11.8.4)
        if (cpu::rdmsr(IA32_X2APIC_IRR0 + i)) return true;
    return false;
}

SlaveVm::SlaveVm(SlaveResult& r, unsigned slave_id)
    : res(r), id(slave_id), control(g_slave_controls[slave_id]) {
    if (id == 0) {
        kern::snformat(label, sizeof label, "slave");
        kern::snformat(console_prefix, sizeof console_prefix, "[linux]");
    } else {
        kern::snformat(label, sizeof label, "slave%u", id);
        kern::snformat(console_prefix, sizeof console_prefix, "[linux%u]", id);
    }
}

SlaveCpu::SlaveCpu(SlaveVm& v, unsigned i, GuestOutcome& out, SlaveStats& stats)
    : vm(v), index(i),
      vcpu(name, out), gctx{v.cfg, out, nullptr, 0, env, {}}, sctx{gctx,           v.senv,
                                                                   v.uart,         stats,
                                                                   v.own_apic_ids, 1,
                                                                   &v.control.stop} {
    if (i == 0)
        kern::snformat(name, sizeof name, "%s", v.label);
    else
        kern::snformat(name, sizeof name, "%s cpu%u", v.label, i);
    env.fpu = &vcpu.fpu();
}

SlaveMemory::~SlaveMemory() {
    if (have_ept && have_sink) sink.release(ept); // before the EPT it links into
    release_guest_memory(have_ept ? &ept : nullptr, ram, ram_frames, bitmaps, "slave");
}

void fill_slave_bitmaps(SlaveMemory& r, bool babysat) {
    IoBitmaps io(reinterpret_cast<uint8_t*>(r.bitmaps[0]),
                 reinterpret_cast<uint8_t*>(r.bitmaps[1]));
    io.intercept_all();
    if (kern::g_fadt.pm_timer_port) io.pass(kern::g_fadt.pm_timer_port, 4);
    MsrBitmap msr(reinterpret_cast<uint8_t*>(r.bitmaps[2]));
    msr.intercept_all();
    for (uint32_t m : SLAVE_PASSTHROUGH_MSRS) {
        if (babysat && VirtualLapic::handles(m)) continue;
        msr.pass_read(m);
        bool write_exits = false;
        for (uint32_t w : SLAVE_WRITE_INTERCEPTED_MSRS)
            write_exits |= w == m;
        if (!write_exits) msr.pass_write(m);
    }
    for (uint32_t m = kern::x86::IA32_X2APIC_FIRST; m <= kern::x86::IA32_X2APIC_LAST && !babysat;
         ++m) {
        msr.pass_read(m);
        if (m != kern::x86::IA32_X2APIC_ICR) msr.pass_write(m);
    }
}

void init_slave_cpu(SlaveCpu& c) {
    SlaveVm& vm = c.vm;
    c.gctx.ram = reinterpret_cast<uint8_t*>(vm.mem.ram);
    const VmxCaps& caps = vm.caps;
    c.gctx.fixed = CrFixedBits{caps.cr0_fixed0, caps.cr0_fixed1, caps.cr4_fixed0, caps.cr4_fixed1};
    c.sctx.own_count = vm.ncpus;
    c.sctx.self = c.index;
    c.sctx.ioapic = &vm.ioapic;
    c.sctx.cpuid.offer_xsavec = vm.cpuid_offer_xsavec;
    c.sctx.cpuid.offer_rdrand = vm.cpuid_offer_rdrand;
}

kern::Result<void> build_slave_vm(SlaveVm& vm, const SlaveImages& img, const SlaveOptions& opt) {
    unsigned here = kern::this_cpu().index;
    if (opt.cpus == 0 || opt.cpus > MAX_SLAVE_CPUS || opt.cpus > here) {
        kern::kprintf("%s: %u CPUs asked for; it can have 1 to %u, and the master keeps CPU 0\n",
                      vm.label, opt.cpus, here < MAX_SLAVE_CPUS ? here : MAX_SLAVE_CPUS);
        return Error{Errc::invalid_argument, "too many CPUs for the slave"};
    }
    vm.ncpus = opt.cpus;
    for (unsigned i = 0; i < vm.ncpus; ++i) {
        vm.host_cpus[i] = here - i;
        vm.own_apic_ids[i] = kern::g_percpu[here - i].apic_id;
    }
    auto bz = parse_bzimage(img.kernel, img.kernel_size); // lab 7
    if (!bz.ok()) {
        kern::kprintf("%s: the kernel image (%lu bytes) cannot be booted: %s\n", vm.label,
                      img.kernel_size, bz.error().what);
        return bz.error();
    }
    size_t cmdlen = strlen(opt.cmdline);
    auto planned =
        plan_slave_memory(opt.ram_bytes, bz.value(), img.initrd_size, cmdlen, opt.channel_bytes);
    if (!planned.ok()) {
        kern::kprintf("%s: %s (RAM %lu MiB, kernel init_size %lu KiB at %#lx, initrd %lu KiB)\n",
                      vm.label, planned.error().what, opt.ram_bytes >> 20,
                      uint64_t(bz.value().init_size) >> 10, bz.value().pref_address,
                      img.initrd_size >> 10);
        return planned.error();
    }
    const SlavePlan& plan = planned.value();

    auto ram_r = kern::frame_alloc_contiguous(opt.ram_bytes / kern::PAGE_SIZE, 2 << 20);
    if (!ram_r.ok()) {
        kern::kprintf("%s: no %lu MiB of contiguous free memory for its RAM\n", vm.label,
                      opt.ram_bytes >> 20);
        return ram_r.error();
    }
    vm.mem.ram = ram_r.value();
    vm.mem.ram_frames = opt.ram_bytes / kern::PAGE_SIZE;
    auto* ram = reinterpret_cast<uint8_t*>(vm.mem.ram);
    memset(ram, 0, opt.ram_bytes); // nothing of the master's earlier use of these frames leaks
    memcpy(ram + plan.kernel_gpa, bz.value().kernel, bz.value().kernel_size);
    if (img.initrd_size) memcpy(ram + plan.initrd_gpa, img.initrd, img.initrd_size);
    write_identity_map_1g(ram + SlaveFixed::PML4);
    uint16_t gdt_limit = write_boot_gdt(ram + SlaveFixed::GDT);
    memcpy(ram + SlaveFixed::CMDLINE, opt.cmdline, cmdlen + 1);
    JailhouseInfo j;
    j.pm_timer_port = kern::g_fadt.pm_timer_port;
    j.tsc_khz = uint32_t(kern::g_clock.tsc_hz / 1000);
    j.apic_khz = uint32_t(kern::g_clock.lapic_timer_hz / 1000);
    j.num_cpus = uint8_t(vm.ncpus);
    for (unsigned i = 0; i < vm.ncpus; ++i)
        j.cpu_ids[i] = uint8_t(vm.own_apic_ids[i]);
    j.uart_mask = 1;          // COM1 only: the emulated console
    j.standard_ioapic = true; // for the UART's IRQ 4, which wakes vlibosd (ioapic.h)
    write_jailhouse_setup_data(ram + SlaveFixed::SETUP_DATA, j);
    BootParamsSpec spec;
    spec.cmdline_gpa = SlaveFixed::CMDLINE;
    spec.initrd_gpa = plan.initrd_gpa;
    spec.initrd_size = plan.initrd_size;
    spec.setup_data_gpa = SlaveFixed::SETUP_DATA;
    spec.e820 = plan.e820;
    spec.e820_count = plan.e820_count;
    TRY_VOID(write_boot_params(ram + SlaveFixed::ZERO_PAGE, bz.value(), img.kernel, spec)); // lab 7

    vm.mem.ept = TRY(Ept::create(kern::kernel_frame_source(), kern::kernel_phys_access()));
    vm.mem.have_ept = true;
    TRY_VOID(vm.mem.ept.map(0, vm.mem.ram, opt.ram_bytes, EPT_READ | EPT_WRITE | EPT_EXECUTE,
                            EptMemoryType::write_back));
    if (opt.channel_bytes) // shared with the master: data, never code
        TRY_VOID(vm.mem.ept.map(plan.channel_gpa, opt.channel_hpa, opt.channel_bytes,
                                EPT_READ | EPT_WRITE, EptMemoryType::write_back));
    vm.mem.sink = TRY(EptSink::create(kern::kernel_frame_source(), kern::kernel_phys_access()));
    vm.mem.have_sink = true;
    for (uint64_t& b : vm.mem.bitmaps)
        b = TRY(kern::frame_alloc());
    fill_slave_bitmaps(vm.mem, false);

    GuestControlRequest req;
    req.use_ept = true;
    req.eptp = vm.mem.ept.eptp(false);
    req.long_mode = true;
    req.io_bitmap_a = vm.mem.bitmaps[0];
    req.io_bitmap_b = vm.mem.bitmaps[1];
    req.msr_bitmap = vm.mem.bitmaps[2];
    req.interrupts_to_guest = true;
    req.switch_pat = true;
    VmxCaps caps = caps_of(vmx_msrs());
    VmxState s{};
    capture_host_state(s.host);
    TRY_VOID(choose_controls(caps, req, s.ctl));
    GuestRegs entry_regs;
    linux_entry_state(s.guest, entry_regs, caps, plan, gdt_limit); // lab 7
    own_fixed_cr_bits(s.ctl, s.guest, caps);
    TRY_VOID(vm.bsp.vcpu.load(s, caps));
    vm.bsp.vcpu.regs() = entry_regs;

    vm.cfg.name = "linux";
    vm.cfg.ram_bytes = opt.ram_bytes;
    vm.cfg.use_ept = true;
    vm.senv.vm = &vm;
    vm.senv.ept = &vm.mem.ept;
    vm.senv.sink = &vm.mem.sink;
    vm.senv.res = &vm.res;
    vm.senv.on_doorbell = opt.on_doorbell;
    vm.cpuid_offer_xsavec = opt.cpuid_offer_xsavec;
    vm.cpuid_offer_rdrand = opt.cpuid_offer_rdrand;
    vm.caps = caps;
    init_slave_cpu(vm.bsp);
    return {};
}

} // namespace hv
