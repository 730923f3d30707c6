#include "hypervisor/vm_host.h"
#include "core/arch/msr.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "console/console.h"
#include "core/format.h"
#include "hypervisor/arch/x86_64/vm_entry.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/host_state.h"
#include "hypervisor/core/vm_instruction_error.h"
#include "hypervisor/core/vmcs_load.h"
#include "hypervisor/core/vmcs_region.h"
#include "hypervisor/guest_fpu.h"
#include "lib/string.h"
#include "mem/memory.h"
#include "test/report.h"

namespace hv {

namespace cpu = kern::cpu;

VmxCaps caps_of(const VmxMsrs& m) {
    VmxCaps c{};
    c.basic = m.basic;
    c.true_pinbased_ctls = m.pinbased;
    c.true_procbased_ctls = m.procbased;
    c.true_exit_ctls = m.exit;
    c.true_entry_ctls = m.entry;
    c.procbased_ctls2 = m.procbased2;
    c.cr0_fixed0 = m.cr0_fixed0;
    c.cr0_fixed1 = m.cr0_fixed1;
    c.cr4_fixed0 = m.cr4_fixed0;
    c.cr4_fixed1 = m.cr4_fixed1;
    c.ept_vpid_cap = m.ept_vpid;
    c.misc = m.misc;
    c.max_phys_addr = uint8_t(m.maxphyaddr);
    c.linear_addr_bits = uint8_t(cpu::cpuid(0x80000008).eax >> 8);
    c.sgx = (cpu::cpuid(7, 0).ebx >> 2) & 1;
    c.rtm = (cpu::cpuid(7, 0).ebx >> 11) & 1;
    return c;
}

void capture_host_state(VmxHostState& h) {
    kern::PerCpu& pc = kern::this_cpu();
    kern::cpu::DescriptorTableRegister idtr;
    asm volatile("sidt %0" : "=m"(idtr));
    HostLayout l{};
    l.code_selector = kern::x86::KERNEL_CS;
    l.data_selector = kern::x86::KERNEL_DS;
    l.tss_selector = kern::x86::TSS_SEL;
    l.gdt_base = reinterpret_cast<uint64_t>(pc.gdt);
    l.idt_base = idtr.base;
    l.tss_base = reinterpret_cast<uint64_t>(&pc.tss);
    l.gs_base = reinterpret_cast<uint64_t>(&pc);
    l.exit_rip = reinterpret_cast<uint64_t>(&vmx_exit_entry);
    host_state(this_cpu_vmx_ops(), l, h);
}

// XSETBV (SDM Vol 2C): needs CR4.OSXSAVE, which vmx_enable_cpu() sets when the CPU has XSAVE.
void xsetbv(uint64_t value) {
    asm volatile("xsetbv" ::"c"(0u), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

/// The machine behind the exit handlers: the host CPU's CPUID and the master's console.
CpuidRegs KernelExitEnv::host_cpuid(uint32_t leaf, uint32_t subleaf) {
    cpu::CpuidResult r = cpu::cpuid(leaf, subleaf);
    return CpuidRegs{r.eax, r.ebx, r.ecx, r.edx};
}

void KernelExitEnv::log(const char* line) {
    if (held) {
        held->push(nullptr, line, strlen(line));
        holding = true;
    } else
        kern::kprintf("%s\n", line);
}

void print_held(ExitLog& log) {
    drain_lines(
        log, [](const char* line) { kern::kprintf("%s\n", line); },
        [](uint64_t n) {
            kern::kprintf("[%lu hypervisor lines lost: too many in one exit]\n", n);
        });
}

void KernelExitEnv::set_xcr0(uint64_t value) {
    if (fpu)
        fpu->set_guest_xcr0(value);
    else
        xsetbv(value);
}

void KernelExitEnv::invept(uint64_t eptp) {
    // Single-context: only this EPT's translations go (SDM Vol 3C 29.4.3.3); a failure means
    // the EPTP is not one the CPU accepts, which the VM-entry checks already ruled out.
    (void)vmx_check(vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{eptp, 0}),
                    "INVEPT", "exit handler");
}

uint64_t KernelExitEnv::xcr0_supported() {
    if (!((cpu::cpuid(1).ecx >> 26) & 1)) // XSAVE
        return 0;
    cpu::CpuidResult d = cpu::cpuid(0xD, 0);
    return (uint64_t(d.edx) << 32) | d.eax;
}

kern::Result<uint64_t> load_new_vmcs(const VmxState& s, const VmxCaps& caps, RealVmcs& real,
                                     const char* who) {
    // Validate, then apply: a state the SDM's entry checks would refuse is reported by field.
    EntryCheckFailure why{};
    if (auto ok = check_vm_entry(s, caps, &why); !ok.ok()) {
        kern::kprintf("%s: VM-entry check failed: %s: %s (%s)\n", who, why.field, why.message,
                      why.section);
        return ok.error();
    }
    return write_new_vmcs(s, real, who);
}

kern::Result<uint64_t> write_new_vmcs(const VmxState& s, RealVmcs& real, const char* who,
                                      bool quiet) {
    auto made = vmcs_new_current(this_cpu_vmx_ops(), vmx_msrs());
    if (!made.ok()) {
        kern::kprintf("%s: no VMCS: %s\n", who, made.error().what);
        return made.error();
    }
    uint64_t vmcs = made.value();
    Vmcs<RealVmcs> v(real);
    write_vmx_state(v, s);
    if (!real.ok()) {
        if (!quiet)
            kern::kprintf("%s: VMWRITE to %s failed\n", who,
                          vmcs_field_name(real.failed_encoding()));
        (void)vmx_check(vmx::vmclear(vmcs), "VMCLEAR", who);
        kern::frame_free(vmcs);
        return kern::Error{kern::Errc::unsupported, "a VMWRITE failed (field printed above)"};
    }
    return vmcs;
}

bool vmx_check(vmx::VmxStatus status, const char* insn, const char* who) {
    if (status == vmx::VmxStatus::ok) return true;
    uint64_t error = 0;
    if (status == vmx::VmxStatus::fail_valid && !vmx::vmread(VM_INSTRUCTION_ERROR.encoding, &error))
        error = 0;
    kern::kprintf("%s: %s failed: %s\n", who, insn,
                  status == vmx::VmxStatus::fail_valid
                      ? vm_instruction_error_text(uint32_t(error))
                      : "VMfailInvalid (bad pointer, or no current VMCS)");
    return false;
}

uint64_t report_entry_failure(int rc, bool launched, RealVmcs& real, const char* who) {
    if (rc == int(EntryResult::not_written)) {
        kern::kprintf("%s: no VM entry: vmx_enter() is not written yet (lab 5, step 4)\n", who);
        return 0;
    }
    bool valid = rc == int(EntryResult::fail_valid);
    uint64_t err = valid ? real.read_raw(VM_INSTRUCTION_ERROR.encoding) : 0;
    kern::kprintf("%s: VM%s failed: %s\n", who, launched ? "RESUME" : "LAUNCH",
                  valid ? vm_instruction_error_text(uint32_t(err))
                        : "VMfailInvalid (no current VMCS)");
    return err;
}

void release_guest_memory(Ept* ept, uint64_t ram, uint64_t ram_frames, const uint64_t (&bitmaps)[3],
                          const char* who) {
    if (ept) {
        (void)vmx_check(
            vmx::invept(vmx::INVEPT_SINGLE_CONTEXT, vmx::InveptDescriptor{ept->eptp(false), 0}),
            "INVEPT", who);
        ept->destroy();
    }
    for (uint64_t i = 0; i < ram_frames; ++i)
        kern::frame_free(ram + i * kern::PAGE_SIZE);
    for (uint64_t b : bitmaps)
        if (b) kern::frame_free(b);
}

void dump_guest_state(Vmcs<RealVmcs>& v, const GuestRegs& r, const char* who, ExitEnv* env) {
    char line[2][200];
    kern::snformat(line[0], sizeof line[0],
                   "%s state: RIP %#lx RSP %#lx RFLAGS %#lx CR0 %#lx CR3 %#lx CR4 %#lx EFER %#lx",
                   who, v.read(GUEST_RIP), v.read(GUEST_RSP), v.read(GUEST_RFLAGS),
                   v.read(GUEST_CR0), v.read(GUEST_CR3), v.read(GUEST_CR4),
                   v.read(GUEST_IA32_EFER));
    kern::snformat(line[1], sizeof line[1],
                   "  RAX %#lx RBX %#lx RCX %#lx RDX %#lx RSI %#lx RDI %#lx", r.rax, r.rbx, r.rcx,
                   r.rdx, r.rsi, r.rdi);
    for (const char* l : line)
        if (env)
            env->log(l);
        else
            kern::kprintf("%s\n", l);
}

void print_exit_history(const ExitHistory& h, const char* who) {
    if (h.size() == 0) return;
    kern::kprintf("%s: its last %lu exit%s (of %lu), oldest first:\n", who, h.size(),
                  h.size() == 1 ? "" : "s", h.total());
    char line[160];
    for (size_t i = 0; i < h.size(); ++i) {
        exit_history_line(h, i, line, sizeof line);
        kern::kprintf("%s\n", line);
    }
}

void report_exit_counts(const char* name, uint64_t total,
                        const uint64_t (&exits)[EXIT_REASON_COUNT]) {
    char line[320];
    size_t n = kern::snformat(line, sizeof line, "guest_exits name=%s total=%lu", name, total);
    for (unsigned i = 0; i < EXIT_REASON_COUNT && n < sizeof line; ++i)
        if (exits[i])
            n += kern::snformat(line + n, sizeof line - n, " %s=%lu", exit_reason_name(uint16_t(i)),
                                exits[i]);
    kern::report_line(line);
}

} // namespace hv
