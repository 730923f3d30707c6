#include "hypervisor/guest.h"
#include "hypervisor/guest_fpu.h"
#include "hypervisor/vm_host.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "console/console.h"
#include "core/format.h"
#include "core/mem/page.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/io_msr_bitmaps.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "test/report.h"

extern "C" char trap_stub_base[];

namespace hv {

namespace cpu = kern::cpu;
using kern::Errc;
using kern::Error;

const char* guest_end_name(GuestEnd e) {
    switch (e) {
    case GuestEnd::halted:
        return "halted";
    case GuestEnd::exited:
        return "exited";
    case GuestEnd::ept_violation:
        return "EPT violation";
    case GuestEnd::triple_fault:
        return "triple fault";
    case GuestEnd::budget_exhausted:
        return "time budget exhausted";
    case GuestEnd::entry_failed:
        return "VM entry failed";
    case GuestEnd::unhandled_exit:
        return "unhandled exit";
    case GuestEnd::too_many_exits:
        return "too many exits";
    }
    return "?";
}

const char* guest_end_token(GuestEnd e) {
    switch (e) {
    case GuestEnd::halted:
        return "halted";
    case GuestEnd::exited:
        return "exited";
    case GuestEnd::ept_violation:
        return "ept_violation";
    case GuestEnd::triple_fault:
        return "triple_fault";
    case GuestEnd::budget_exhausted:
        return "budget_exhausted";
    case GuestEnd::entry_failed:
        return "entry_failed";
    case GuestEnd::unhandled_exit:
        return "unhandled_exit";
    case GuestEnd::too_many_exits:
        return "too_many_exits";
    }
    return "unknown";
}

namespace {

/// Identity page tables for a 64-bit guest at the start of its RAM (guest-physical base+0x1000
/// onwards; `ram` is where the host reaches that RAM), 2 MiB pages. Without EPT they cover the
/// guest's RAM only (GPA = HPA there: anything more would be the master's memory). Under EPT
/// they cover the first 4 GiB: the guest may *try* any address, and EPT decides.
void build_guest_page_tables(uint8_t* ram, uint64_t base, uint64_t bytes, bool ept) {
    auto* pml4 = reinterpret_cast<uint64_t*>(ram + 0x1000);
    auto* pdpt = reinterpret_cast<uint64_t*>(ram + 0x2000);
    pml4[(base >> 39) & 511] = (base + 0x2000) | 3;
    uint64_t first = ept ? 0 : base, last = ept ? (4ull << 30) : base + bytes;
    for (uint64_t va = first; va < last; va += 2 << 20) {
        uint64_t pd_gpa = base + 0x3000 + ((va >> 30) - (first >> 30)) * 0x1000;
        pdpt[(va >> 30) & 511] = pd_gpa | 3;
        auto* pd = reinterpret_cast<uint64_t*>(ram + (pd_gpa - base));
        pd[(va >> 21) & 511] = va | 0x83; // P, W, PS
    }
}

/// Everything a guest owns, released in one place.
struct GuestResources {
    uint64_t ram = 0, ram_frames = 0, vmcs = 0;
    uint64_t bitmaps[3] = {}; // I/O A, I/O B, MSR
    Ept ept;
    bool have_ept = false;

    ~GuestResources() {
        if (vmcs) {
            vmx::vmclear(vmcs);
            kern::frame_free(vmcs);
        }
        if (have_ept) {
            // Drop cached translations before the tables' frames are reused (ept.h's contract;
            // SDM Vol 3C 29.4.3.3). No-op in Bochs, required on real CPUs.
            vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{ept.eptp(false), 0});
            ept.destroy();
        }
        for (uint64_t i = 0; i < ram_frames; ++i)
            kern::frame_free(ram + i * kern::PAGE_SIZE);
        for (uint64_t b : bitmaps)
            if (b) kern::frame_free(b);
    }
};

} // namespace

kern::Result<void> run_guest(const GuestConfig& cfg, GuestOutcome& out) {
    out = GuestOutcome{};
    if (!vmx_enabled()) TRY_VOID(vmx_enable_cpu());
    if (cfg.ram_bytes == 0 || cfg.ram_bytes % (2 << 20) || cfg.ram_bytes > (1ull << 30))
        return Error{Errc::invalid_argument,
                     "guest RAM must be a multiple of 2 MiB, at most 1 GiB"};
    static_assert(IMAGE_OFFSET >= 0x7000, "the page tables (up to 0x7000) come first");
    if (cfg.image_size > cfg.ram_bytes - IMAGE_OFFSET - 0x10000)
        return Error{Errc::invalid_argument, "guest image does not fit in guest RAM"};

    GuestResources res;
    res.ram = TRY(kern::frame_alloc_contiguous(cfg.ram_bytes / kern::PAGE_SIZE, 2 << 20));
    res.ram_frames = cfg.ram_bytes / kern::PAGE_SIZE;
    auto* ram = reinterpret_cast<uint8_t*>(res.ram);
    memset(ram, 0, cfg.ram_bytes);
    memcpy(ram + IMAGE_OFFSET, cfg.image, cfg.image_size);
    // Without EPT a guest-physical address is a host-physical one: the guest's page tables
    // map its RAM where it really is. With EPT its RAM starts at guest-physical 0.
    uint64_t base = cfg.use_ept ? 0 : res.ram;
    if ((base & ((1ull << 30) - 1)) + cfg.ram_bytes > (1ull << 30))
        return Error{Errc::unsupported, "guest RAM crosses a 1 GiB boundary"};
    if (cfg.mode != GuestMode::long64 && !cfg.use_ept)
        return Error{Errc::invalid_argument,
                     "real-mode and 32-bit guests need EPT (unrestricted guest)"};
    if (cfg.mode == GuestMode::long64)
        build_guest_page_tables(ram, base, cfg.ram_bytes, cfg.use_ept);

    GuestControlRequest req;
    req.use_ept = cfg.use_ept;
    req.preemption_timer = cfg.preemption_timer;
    req.long_mode = cfg.mode == GuestMode::long64;
    if (cfg.use_ept) {
        res.ept = TRY(Ept::create(kern::kernel_frame_source(), kern::kernel_phys_access()));
        res.have_ept = true;
        TRY_VOID(res.ept.map(0, res.ram, cfg.ram_bytes, EPT_READ | EPT_WRITE | EPT_EXECUTE,
                             EptMemoryType::write_back));
        req.eptp = res.ept.eptp(false);
    }

    // I/O and MSR bitmaps: everything intercepted but what the configuration passes through.
    for (uint64_t& b : res.bitmaps)
        b = TRY(kern::frame_alloc());
    IoBitmaps io(reinterpret_cast<uint8_t*>(res.bitmaps[0]),
                 reinterpret_cast<uint8_t*>(res.bitmaps[1]));
    io.intercept_all();
    for (size_t i = 0; i < cfg.pass.port_count && i < cfg.pass.MAX; ++i)
        io.pass(cfg.pass.ports[i]);
    MsrBitmap msr(reinterpret_cast<uint8_t*>(res.bitmaps[2]));
    msr.intercept_all();
    for (size_t i = 0; i < cfg.pass.msr_read_count && i < cfg.pass.MAX; ++i)
        msr.pass_read(cfg.pass.msr_reads[i]);
    req.io_bitmap_a = res.bitmaps[0];
    req.io_bitmap_b = res.bitmaps[1];
    req.msr_bitmap = res.bitmaps[2];

    VmxCaps caps = caps_of(vmx_msrs());
    VmxState s{};
    capture_host_state(s.host);
    TRY_VOID(choose_controls(caps, req, s.ctl));
    switch (cfg.mode) {
    case GuestMode::long64:
        long_mode_guest(s.guest, caps, base + 0x1000, base + IMAGE_OFFSET,
                        base + cfg.ram_bytes - 16);
        break;
    case GuestMode::protected32:
        protected32_guest(s.guest, caps, uint32_t(IMAGE_OFFSET), uint32_t(cfg.ram_bytes - 16));
        break;
    case GuestMode::real16: // CS:IP = 1000:0000 (linear IMAGE_OFFSET), SS:SP = 0000:FFF0
        real_mode_guest(s.guest, caps, uint16_t(IMAGE_OFFSET >> 4), 0, 0xFFF0);
        break;
    }

    own_fixed_cr_bits(s.ctl, s.guest, caps);

    char who[48];
    kern::snformat(who, sizeof who, "guest '%s'", cfg.name);
    RealVmcs real;
    Vmcs<RealVmcs> vmcs(real);
    res.vmcs = TRY(load_new_vmcs(s, caps, real, who));

    KernelExitEnv env;
    GuestFpu fpu; // its x87/SSE/AVX registers, kept apart from other guests' (guest_fpu.h)
    TRY_VOID(fpu.init());
    env.fpu = &fpu;
    GuestContext ctx{
        cfg,  out, ram,
        base, env, CrFixedBits{caps.cr0_fixed0, caps.cr0_fixed1, caps.cr4_fixed0, caps.cr4_fixed1}};
    GuestRegs regs{};
    regs.rdi = cfg.ram_bytes; // launch convention: RDI = RAM size, RSI = its guest-physical base
    regs.rsi = base;
    bool launched = false;
    for (;;) {
        cpu::cli();
        vmx::vmptrld(res.vmcs); // another guest may have run on this CPU in between
        fpu.enter();            // and left its registers there; XCR0 is not in the VMCS either
        uint64_t t0 = cpu::rdtsc();
        int r = vmx_enter(&regs, launched ? 1 : 0);
        out.guest_cycles += cpu::rdtsc() - t0;
        fpu.leave();
        cpu::sti(); // an external interrupt that caused the exit is delivered to the master now
        if (r != int(EntryResult::vm_exit)) {
            out.end = GuestEnd::entry_failed;
            out.detail = report_entry_failure(r, launched, real, who);
            break;
        }
        launched = true;
        if (handle_exit(vmcs, regs, ctx)) {
            if (out.end == GuestEnd::triple_fault || out.end == GuestEnd::unhandled_exit)
                dump_guest_state(vmcs, regs, who);
            break;
        }
        if (cfg.max_guest_cycles && out.guest_cycles >= cfg.max_guest_cycles) {
            out.end = GuestEnd::budget_exhausted;
            break;
        }
        if (out.total_exits >= cfg.max_exits) {
            out.end = GuestEnd::too_many_exits;
            break;
        }
    }
    out.fpu_saves = fpu.saves();
    out.fpu_restores = fpu.restores();
    out.guest_rip = vmcs.read(GUEST_RIP);
    if (!cfg.silent) report_exit_counts(cfg.name, out.total_exits, out.exits);
    if (!cfg.quiet && !cfg.silent) {
        kern::kprintf("guest '%s': %s", cfg.name, guest_end_name(out.end));
        if (out.end == GuestEnd::ept_violation)
            kern::kprintf(" at guest-physical %#lx (outside its %lu MiB of RAM: stopped)",
                          out.detail, cfg.ram_bytes >> 20);
        kern::kprintf(" after %lu exits (", out.total_exits);
        bool first = true;
        for (unsigned i = 0; i < EXIT_REASON_COUNT; ++i)
            if (out.exits[i]) {
                kern::kprintf("%s%s %lu", first ? "" : ", ", exit_reason_name(uint16_t(i)),
                              out.exits[i]);
                first = false;
            }
        kern::kprintf(")\n");
    }
    return {};
}

} // namespace hv
