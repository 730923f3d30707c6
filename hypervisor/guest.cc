#include "hypervisor/guest.h"
#include "hypervisor/guest_fpu.h"
#include "hypervisor/run_loop.h"
#include "hypervisor/vm_host.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "console/console.h"
#include "core/format.h"
#include "core/mem/page.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/ept/dirty_log.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/exit_dispatch.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/io_msr_bitmaps.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "test/report.h"

namespace hv {

namespace cpu = kern::cpu;
using kern::Errc;
using kern::Error;

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
    uint64_t ram = 0, ram_frames = 0;
    uint64_t bitmaps[3] = {}; // I/O A, I/O B, MSR
    Ept ept;
    bool have_ept = false;

    ~GuestResources() {
        release_guest_memory(have_ept ? &ept : nullptr, ram, ram_frames, bitmaps, "guest");
    }
};

/// A test guest's mode: it runs in the calling master thread, whose interrupts are taken between
/// exits; its exits go to the pure handlers of exit_dispatch.h; it ends when a handler stops it
/// or it exceeds its time or exit limits.
class GuestPolicy {
  public:
    static constexpr bool INTERRUPTS_BETWEEN_EXITS = true;
    GuestPolicy(GuestContext& ctx, KernelExitEnv& env, ExitLog& log)
        : m_ctx(ctx), m_env(env), m_log(log) {}

    RunStep before_entry(Vcpu&) { return RunStep::resume; }
    void after_exit(Vcpu&) {}
    RunStep on_exit(Vcpu& v) {
        GuestOutcome& out = m_ctx.out;
        bool stop = m_ctx.config.exit_handler ? m_ctx.config.exit_handler(v.real(), v.regs(), m_ctx)
                                              : handle_exit(v.vmcs(), v.regs(), m_ctx);
        if (!stop) {
            if (m_ctx.config.max_guest_cycles && out.guest_cycles >= m_ctx.config.max_guest_cycles)
                out.end = GuestEnd::budget_exhausted;
            else if (out.total_exits >= m_ctx.config.max_exits)
                out.end = GuestEnd::too_many_exits;
            else
                return RunStep::resume;
        }
        // Where it was when it stopped for something other than HLT or HC_EXIT (its last exits
        // follow when the run has ended, with interrupts on).
        if (stopped_unexpectedly(out.end))
            dump_guest_state(v.vmcs(), v.regs(), v.name(), &m_ctx.env);
        return RunStep::leave;
    }
    /// The exit's lines (its hypercall prints), held back by on_exit: printed with interrupts on.
    void between_exits(Vcpu&) {
        if (m_env.holding) { // (only this thread fills it: no race)
            m_env.holding = false;
            print_held(m_log);
        }
    }

  private:
    GuestContext& m_ctx;
    KernelExitEnv& m_env;
    ExitLog& m_log;
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
    if (cfg.dirty_log) {
        if (!cfg.use_ept || cfg.ram_bytes / kern::PAGE_SIZE > cfg.dirty_log->pages())
            return Error{Errc::invalid_argument,
                         "dirty logging needs EPT and a log that covers the guest's RAM"};
        TRY_VOID(arm_dirty_log(res.ept, *cfg.dirty_log)); // no INVEPT: nothing ran on it yet
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
    Vcpu vcpu(who, out);
    TRY_VOID(vcpu.load(s, caps));

    KernelExitEnv env;
    env.fpu = &vcpu.fpu(); // its x87/SSE/AVX registers, kept apart from other guests'
    ExitLog log;           // its exits' lines, printed between exits with interrupts on
    env.held = &log;
    GuestContext ctx{
        cfg,  out, ram,
        base, env, CrFixedBits{caps.cr0_fixed0, caps.cr0_fixed1, caps.cr4_fixed0, caps.cr4_fixed1}};
    if (cfg.use_ept) ctx.ept = &res.ept;
    ctx.dirty = cfg.dirty_log;
    if (cfg.check_only) return {};
    if (cfg.initial_regs) {
        vcpu.regs() = *cfg.initial_regs;
    } else {
        vcpu.regs().rdi = cfg.ram_bytes; // launch convention: RDI = RAM size, RSI = its base
        vcpu.regs().rsi = base;
    }
    GuestPolicy policy(ctx, env, log);
    run_vcpu(vcpu, policy);
    out.final_regs = vcpu.regs();
    print_held(log); // the last exit's lines
    if (!cfg.silent && stopped_unexpectedly(out.end)) print_exit_history(vcpu.history(), who);
    if (!cfg.silent) report_exit_counts(cfg.name, out.total_exits, out.exits);
    if (!cfg.quiet && !cfg.silent) {
        kern::kprintf("guest '%s': %s", cfg.name, guest_end_name(out.end));
        if (out.end == GuestEnd::ept_violation)
            kern::kprintf(" at guest-physical %#lx (%s its %lu MiB of RAM: stopped)", out.detail,
                          out.detail < cfg.ram_bytes ? "inside" : "outside", cfg.ram_bytes >> 20);
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
