// The VM-entry checker against the CPU (`test=entry_diff`, Bochs): a differential test.
//
// Known-good states are built the way the kit builds its test guests (choose_controls,
// long_mode_guest / protected32_guest, own_fixed_cr_bits, capture_host_state, the capability
// MSRs): a 64-bit guest with EPT, one without EPT, and a 32-bit PAE guest with EPT (so the PDPTE
// fields matter). perturb.h changes ONE field of one of them, a few hundred times from a fixed
// seed. Each case is judged by check_vm_entry(), then written UNVALIDATED into a fresh VMCS and
// VMLAUNCHed; the guest's memory is all HLT, so an accepted entry exits at once (or the
// VMX-preemption timer ends it). entry_diff.h compares the two verdicts, allowing only for the
// listed Bochs deviations. One `@@ entry_diff_disagreement` line per (outcome, field) category,
// one `@@ entry_diff_bochs_deviation` line per listed deviation, then the counts as metrics.
//
// The master's safety: perturb.h makes only host-state changes the CPU refuses or that are
// restored here right after the exit (SYSENTER MSRs, FS base, PAT, EFER, SS), and never launches
// a state Bochs would panic on (bochs_panics_on()).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"
#include "console/console.h"
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "core/format.h"
#include "hypervisor/arch/x86_64/real_vmcs.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/arch/x86_64/vmx_cpu.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/entry_check/entry_diff.h"
#include "hypervisor/core/entry_check/perturb.h"
#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/guest_state.h"
#include "hypervisor/core/vmcs_load.h"
#include "hypervisor/core/vmx_bits.h"
#include "hypervisor/hypervisor.h"
#include "hypervisor/run_loop.h"
#include "hypervisor/vm_host.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "test/ktest.h"
#include "test/report.h"

using namespace hv;
using namespace hv::vmx_bits;
using namespace kern::x86;
namespace cpu = kern::cpu;

namespace {

constexpr uint64_t SEED = 0xE27C4EC0DE5EED01ull; ///< fixed: the same cases on every run
constexpr unsigned CASES_PER_BASE = 600;
constexpr uint64_t RAM_BYTES = 2 << 20;       ///< one 2 MiB page of guest RAM, all HLT
constexpr uint64_t GUEST_CODE = 0x10000;      ///< offset of the guest's RIP in its RAM
constexpr uint32_t PREEMPTION_TIMER = 200000; ///< ends a guest that does not exit by itself

/// MSRs a VM exit may leave changed after an accepted host-state or MSR-list change.

/// The master's values of what an accepted case may change, put back after every launch.
struct HostSaved {
    uint64_t msr[6];
    static constexpr uint32_t NUM[6] = {IA32_SYSENTER_CS, IA32_SYSENTER_ESP, IA32_SYSENTER_EIP,
                                        IA32_PAT,         IA32_EFER,         IA32_FS_BASE};
    void save() {
        for (unsigned i = 0; i < 6; ++i)
            msr[i] = cpu::rdmsr(NUM[i]);
    }
    /// Runs with interrupts off, right after the VM exit (or the failed VMLAUNCH).
    void restore() const {
        for (unsigned i = 0; i < 6; ++i)
            cpu::wrmsr(NUM[i], msr[i]);
        asm volatile("mov %0, %%ss" ::"r"(uint32_t(kern::x86::KERNEL_DS)));
    }
};

/// Everything the test allocates, freed in one place.
struct DiffResources {
    uint64_t ram = 0;
    uint64_t pages[6] = {}; // I/O A, I/O B, MSR bitmap, MSR area, virtual-APIC, APIC-access
    Ept ept;
    bool have_ept = false;

    ~DiffResources() {
        if (have_ept) {
            (void)vmx_check(
                vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{ept.eptp(false), 0}),
                "INVEPT", "entry_diff");
            ept.destroy();
        }
        for (uint64_t i = 0; ram && i < RAM_BYTES / kern::PAGE_SIZE; ++i)
            kern::frame_free(ram + i * kern::PAGE_SIZE);
        for (uint64_t p : pages)
            if (p) kern::frame_free(p);
    }
};

/// 4-level tables at RAM offset @p at mapping guest-physical @p base (the RAM's first byte) with
/// one 2 MiB page: without EPT base is the RAM's host-physical address, so the guest sees only it.
void build_tables(uint8_t* ram, uint64_t at, uint64_t base) {
    auto* pml4 = reinterpret_cast<uint64_t*>(ram + at);
    auto* pdpt = reinterpret_cast<uint64_t*>(ram + at + 0x1000);
    auto* pd = reinterpret_cast<uint64_t*>(ram + at + 0x2000);
    memset(pml4, 0, 0x3000);
    pml4[(base >> 39) & 511] = (base + at + 0x1000) | 3;
    pdpt[(base >> 30) & 511] = (base + at + 0x2000) | 3;
    pd[(base >> 21) & 511] = base | 0x83; // P, W, PS
}

/// Marks a detail that is a VM-instruction error number (not an exit reason) in the reports.
constexpr uint64_t VM_INSTRUCTION_ERROR_MARK = uint64_t{1} << 63;

/// One launch, through the run loop: the host MSRs a case may have changed are put back right
/// after the exit (or the failed VMLAUNCH), and the run ends at the first exit.
struct LaunchOnce {
    static constexpr bool INTERRUPTS_BETWEEN_EXITS = false;
    const HostSaved& saved;
    uint64_t exit_reason = 0;
    bool exited = false;
    RunStep before_entry(Vcpu&) { return RunStep::resume; }
    void after_exit(Vcpu&) { saved.restore(); }
    RunStep on_exit(Vcpu& v) {
        exit_reason = v.real().read_raw(VM_EXIT_REASON.encoding);
        exited = true;
        return RunStep::leave;
    }
};

/// A fresh VMCS holding @p s, unvalidated; VMLAUNCH it; what the CPU did.
CpuVerdict launch(const VmxState& s, const HostSaved& saved, uint64_t* detail) {
    *detail = 0;
    GuestOutcome out;
    Vcpu v("entry_diff", out);
    if (auto r = v.load_unchecked(s); !r.ok()) {
        *detail = v.real().ok() ? 0 : v.real().failed_encoding();
        return CpuVerdict::other;
    }
    LaunchOnce once{saved};
    run_vcpu(v, once); // interrupts back on after it: an interrupt that ended the guest is ours
    if (once.exited) {
        *detail = once.exit_reason;
        return (once.exit_reason >> 31) & 1 ? CpuVerdict::refused : CpuVerdict::accepted;
    }
    if (out.end == GuestEnd::entry_failed && out.detail) { // VMfailValid
        *detail =
            out.detail | VM_INSTRUCTION_ERROR_MARK; // marks "VM-instruction error" in the reports
        if (out.detail == 7 || out.detail == 8) return CpuVerdict::refused;
    }
    return CpuVerdict::other;
}

/// What the CPU did, in words, for the report lines.
void describe_cpu(char* buf, size_t n, CpuVerdict v, uint64_t detail) {
    if (detail & VM_INSTRUCTION_ERROR_MARK)
        kern::snformat(buf, n, "VMfail_error_%lu", detail & 0xFFFF);
    else if (v == CpuVerdict::other && detail)
        kern::snformat(buf, n, "vmwrite_failed_%#lx", detail);
    else
        kern::snformat(buf, n, "%s_exit_reason_%lu", (detail >> 31) & 1 ? "entry_failure" : "vm",
                       detail & 0xFFFF);
}

/// One disagreement category: an outcome and the field changed, with its first example.
struct Category {
    DiffOutcome outcome;
    const char* field;
    unsigned count;
    const char* base;
    uint64_t value;
    char checker[96];
    char cpu[40];
};

struct Tally {
    unsigned cases = 0, agree = 0, deviations = 0, disagreements = 0, not_launched = 0;
    unsigned per_deviation[16] = {};
    /// How the CPU refused: VMfail 7, VMfail 8, exit reason 33, 34, another entry-failure reason.
    unsigned refusals[5] = {};
    Category cats[48] = {};
    unsigned ncats = 0;
};

void note_disagreement(Tally& t, DiffOutcome o, const PerturbCase& c, const char* base,
                       const EntryCheckFailure& why, bool checker_ok, CpuVerdict v,
                       uint64_t detail) {
    ++t.disagreements;
    char cpu_text[40];
    describe_cpu(cpu_text, sizeof cpu_text, v, detail);
    kern::kprintf("entry_diff: DISAGREE %s base=%s field=%s value=%#lx checker=%s cpu=%s\n",
                  diff_outcome_name(o), base, c.field, c.value,
                  checker_ok ? "accepts" : why.message, cpu_text);
    for (unsigned i = 0; i < t.ncats; ++i)
        if (t.cats[i].outcome == o && strcmp(t.cats[i].field, c.field) == 0) {
            ++t.cats[i].count;
            return;
        }
    if (t.ncats == sizeof t.cats / sizeof t.cats[0]) return;
    Category& k = t.cats[t.ncats++];
    k.outcome = o;
    k.field = c.field;
    k.count = 1;
    k.base = base;
    k.value = c.value;
    kern::snformat(k.checker, sizeof k.checker, "%s", checker_ok ? "accepts" : why.message);
    memcpy(k.cpu, cpu_text, sizeof k.cpu);
}

/// Run the cases of one base; false if the base itself is not accepted by both.
bool run_base(kern::KTestContext& t, Tally& tally, unsigned index, const char* name, VmxState base,
              const VmxCaps& caps, const PerturbEnv& env, const HostSaved& saved,
              uint8_t* msr_area) {
    prepare_perturb_base(base, env);
    EntryCheckFailure why{};
    if (!check_vm_entry(base, caps, &why).ok()) {
        t.fail("base %s refused by the checker: %s: %s", name, why.field, why.message);
        return false;
    }
    uint64_t detail = 0;
    fill_msr_area(msr_area, saved.msr[0]);
    if (launch(base, saved, &detail) != CpuVerdict::accepted) {
        t.fail("base %s refused by the CPU (detail %#lx)", name, detail);
        return false;
    }
    static PerturbCase c; // ~2 KiB: not on the kernel stack
    for (unsigned i = 0; i < CASES_PER_BASE; ++i) {
        make_perturb_case(base, caps, env, SEED + index * 0x100000000ull, i, c);
        ++tally.cases;
        why = EntryCheckFailure{};
        const bool checker_ok = check_vm_entry(c.state, caps, &why).ok();
        const bool launchable = bochs_panics_on(c.state, caps) == nullptr;
        CpuVerdict v = CpuVerdict::other;
        detail = 0;
        if (launchable) {
            fill_msr_area(msr_area, saved.msr[0]); // an MSR-store list may have written it
            v = launch(c.state, saved, &detail);
        }
        if (v == CpuVerdict::refused) {
            const uint64_t code = detail & 0xFFFF;
            const bool vmfail = (detail & VM_INSTRUCTION_ERROR_MARK) != 0;
            ++tally.refusals[vmfail ? (code == 7 ? 0 : 1) : code == 33 ? 2 : code == 34 ? 3 : 4];
        }
        const BochsDeviation* dev = nullptr;
        const DiffOutcome o = judge_case(c.state, caps, checker_ok, why, launchable, v, &dev);
        if (o == DiffOutcome::agree_accept || o == DiffOutcome::agree_refuse) {
            ++tally.agree;
        } else if (o == DiffOutcome::bochs_deviation) {
            ++tally.deviations;
            if (!launchable) ++tally.not_launched;
            unsigned n = 0;
            const BochsDeviation* all = bochs_deviations(&n);
            const unsigned idx = unsigned(dev - all);
            if (idx < n && idx < 16) ++tally.per_deviation[idx];
        } else {
            note_disagreement(tally, o, c, name, why, checker_ok, v, detail);
        }
    }
    return true;
}

void report(const Tally& t) {
    char line[320];
    for (unsigned i = 0; i < t.ncats; ++i) {
        const Category& k = t.cats[i];
        kern::snformat(line, sizeof line,
                       "entry_diff_disagreement outcome=%s field=%s count=%u example_base=%s "
                       "example_value=%#lx checker=\"%s\" cpu=%s",
                       diff_outcome_name(k.outcome), k.field, k.count, k.base, k.value, k.checker,
                       k.cpu);
        kern::report_line(line);
    }
    unsigned n = 0;
    const BochsDeviation* all = bochs_deviations(&n);
    for (unsigned i = 0; i < n; ++i) {
        static constexpr const char* KIND[] = {"bochs_accepts", "bochs_refuses", "bochs_panics"};
        kern::snformat(line, sizeof line,
                       "entry_diff_bochs_deviation name=%s kind=%s section=\"%s\" count=%u",
                       all[i].name, KIND[unsigned(all[i].kind)], all[i].section,
                       i < 16 ? t.per_deviation[i] : 0);
        kern::report_line(line);
    }
    kern::kprintf("entry_diff: the CPU refused %u times: VMfail error 7: %u, error 8: %u, "
                  "VM-entry failure exit 33: %u, exit 34: %u, another exit reason: %u\n",
                  t.refusals[0] + t.refusals[1] + t.refusals[2] + t.refusals[3] + t.refusals[4],
                  t.refusals[0], t.refusals[1], t.refusals[2], t.refusals[3], t.refusals[4]);
    kern::report_metric("entry_diff_cases", t.cases, "cases");
    kern::report_metric("entry_diff_agreements", t.agree, "cases");
    kern::report_metric("entry_diff_bochs_deviations", t.deviations, "cases");
    kern::report_metric("entry_diff_not_launched", t.not_launched, "cases");
    kern::report_metric("entry_diff_disagreements", t.disagreements, "cases");
}

} // namespace

KTEST(entry_diff, entry_check_agrees_with_cpu) {
    if (!hypervisor_available()) {
        t.fail("no VMX on this machine (run in Bochs: test=entry_diff)");
        return;
    }
    DiffResources res;
    auto ram = kern::frame_alloc_contiguous(RAM_BYTES / kern::PAGE_SIZE, RAM_BYTES);
    KREQUIRE(ram.ok());
    res.ram = ram.value();
    for (uint64_t& p : res.pages) {
        auto f = kern::frame_alloc();
        KREQUIRE(f.ok());
        p = f.value();
    }
    auto ept = Ept::create(kern::kernel_frame_source(), kern::kernel_phys_access());
    KREQUIRE(ept.ok());
    res.ept = static_cast<Ept&&>(ept.value());
    res.have_ept = true;
    KREQUIRE(res.ept
                 .map(0, res.ram, RAM_BYTES, EPT_READ | EPT_WRITE | EPT_EXECUTE,
                      EptMemoryType::write_back)
                 .ok());

    // Guest RAM: HLT everywhere, page tables for both 64-bit bases, one PAE page directory.
    auto* mem = reinterpret_cast<uint8_t*>(res.ram);
    memset(mem, 0xF4, RAM_BYTES);
    build_tables(mem, 0x1000, 0);       // with EPT: guest-physical 0
    build_tables(mem, 0x4000, res.ram); // without EPT: the RAM's host-physical address
    auto* pae_pd = reinterpret_cast<uint64_t*>(mem + 0x7000);
    memset(pae_pd, 0, 0x1000);
    pae_pd[0] = 0x83;                // 2 MiB page at 0: the guest's code is mapped
    for (unsigned i = 0; i < 3; ++i) // bitmaps: every I/O port and MSR exits
        memset(reinterpret_cast<void*>(res.pages[i]), 0xFF, kern::PAGE_SIZE);
    memset(reinterpret_cast<void*>(res.pages[4]), 0, kern::PAGE_SIZE);
    reinterpret_cast<uint8_t*>(res.pages[4])[0x80] = 0xF0; // VTPR: any TPR threshold fits
    memset(reinterpret_cast<void*>(res.pages[5]), 0, kern::PAGE_SIZE);
    const PerturbEnv env{res.pages[3], res.pages[4], res.pages[5]};

    const VmxCaps caps = caps_of(vmx_msrs());
    HostSaved saved;
    saved.save();

    // The kit's constructions, as run_guest() uses them.
    auto make = [&](bool use_ept, bool long_mode, VmxState& s) -> bool {
        s = VmxState{};
        capture_host_state(s.host);
        GuestControlRequest req;
        req.use_ept = use_ept;
        req.eptp = res.ept.eptp(false);
        req.preemption_timer = PREEMPTION_TIMER;
        req.long_mode = long_mode;
        req.io_bitmap_a = res.pages[0];
        req.io_bitmap_b = res.pages[1];
        req.msr_bitmap = res.pages[2];
        if (auto r = choose_controls(caps, req, s.ctl); !r.ok()) {
            t.fail("choose_controls: %s", r.error().what);
            return false;
        }
        const uint64_t base = use_ept ? 0 : res.ram;
        if (long_mode) {
            long_mode_guest(s.guest, caps, base + (use_ept ? 0x1000 : 0x4000), base + GUEST_CODE,
                            base + RAM_BYTES - 16);
        } else { // 32-bit PAE paging: the PDPTEs come from the VMCS (SDM 27.3.1.6)
            protected32_guest(s.guest, caps, uint32_t(GUEST_CODE), uint32_t(RAM_BYTES - 16));
            s.guest.cr0 |= CR0_PG;
            s.guest.cr4 |= CR4_PAE;
            for (uint64_t& e : s.guest.pdpte)
                e = 0x7000 | 1;
        }
        own_fixed_cr_bits(s.ctl, s.guest, caps);
        return true;
    };

    static Tally tally; // large: not on the kernel stack
    tally = Tally{};
    static VmxState base;
    KREQUIRE(make(true, true, base));
    KREQUIRE(run_base(t, tally, 0, "long64_ept", base, caps, env, saved,
                      reinterpret_cast<uint8_t*>(res.pages[3])));
    KREQUIRE(make(false, true, base));
    KREQUIRE(run_base(t, tally, 1, "long64_no_ept", base, caps, env, saved,
                      reinterpret_cast<uint8_t*>(res.pages[3])));
    KREQUIRE(make(true, false, base));
    KREQUIRE(run_base(t, tally, 2, "pae32_ept", base, caps, env, saved,
                      reinterpret_cast<uint8_t*>(res.pages[3])));
    report(tally);
    KCHECK(tally.cases >= 3 * CASES_PER_BASE);
    if (tally.disagreements)
        t.fail("%u of %u cases: the checker and the CPU disagree (see the "
               "entry_diff_disagreement lines)",
               tally.disagreements, tally.cases);
}
