#include "hypervisor/guest_fpu.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/arch/cpuid_bits.h"
#include "hypervisor/arch/x86_64/xsave_insn.h"
#include "hypervisor/core/xsave_layout.h"
#include "hypervisor/vm_host.h"
#include "mem/memory.h"

namespace hv {

namespace cpu = kern::cpu;
using namespace xsave;

namespace {

/// The vCPU whose registers are live on each CPU (nullptr: nobody's, or a vCPU that ended).
/// Read and written only by that CPU, interrupts off.
GuestFpu* g_owner[kern::MAX_CPUS] = {};

} // namespace

kern::Result<void> GuestFpu::init() {
    if (!(cpu::cpuid(1).ecx & kern::x86::CPUID_1_ECX_XSAVE)) return {};
    cpu::CpuidResult d0 = cpu::cpuid(0xD, 0);
    uint64_t supported = (uint64_t(d0.edx) << 32) | d0.eax;
    Component c[MAX_COMPONENTS] = {};
    for (unsigned i = 2; i < MAX_COMPONENTS; ++i)
        if ((supported >> i) & 1) {
            cpu::CpuidResult d = cpu::cpuid(0xD, i);
            c[i] = Component{d.eax, d.ebx, (d.ecx & CPUID_DI_ALIGN64) != 0};
        }
    // The size for every supported component: a guest may set any XCR0 the CPU supports. CPUID
    // also says it directly (EAX=0DH,ECX=0: ECX); take the larger should the two disagree.
    uint32_t bytes = standard_size(supported, c);
    bytes = d0.ecx > bytes ? d0.ecx : bytes;
    uint64_t frames = (bytes + kern::PAGE_SIZE - 1) / kern::PAGE_SIZE;
    uint64_t phys = TRY(kern::frame_alloc_contiguous(frames, kern::PAGE_SIZE)); // 64-byte aligned
    area_ = reinterpret_cast<uint8_t*>(phys);
    frames_ = frames;
    bytes_ = bytes;
    init_area(area_, bytes_);
    return {};
}

GuestFpu::~GuestFpu() {
    if (!area_) return;
    {
        cpu::IrqSave irq; // the owner table and the live registers must not change under us
        if (cpu_ >= 0 && g_owner[cpu_] == this) // its registers die with it; nobody saves them
            g_owner[cpu_] = nullptr;
    }
    for (uint64_t i = 0; i < frames_; ++i)
        kern::frame_free(reinterpret_cast<uint64_t>(area_) + i * kern::PAGE_SIZE);
}

void GuestFpu::save_live() {
    uint64_t mask = save_mask(xcr0_);
    xsetbv(mask);
    xsave_insn::xsave64(area_, mask);
    ++saves_;
}

void GuestFpu::switch_in() {
    unsigned here = kern::this_cpu().index;
    GuestFpu* owner = g_owner[here];
    if (owner != this) {
        if (owner) {
            owner->save_live();
            owner->cpu_ = -1;
        }
        uint64_t mask = save_mask(xcr0_);
        xsetbv(mask);
        xsave_insn::xrstor64(area_, mask);
        ++restores_;
        g_owner[here] = this;
        cpu_ = int(here);
        xsetbv(xcr0_);
    } else if (xcr0_ != HOST_XCR0) { // XCR0 is the master's between leave() and enter()
        xsetbv(xcr0_);
    }
}

void GuestFpu::load_host_xcr0() {
    xsetbv(HOST_XCR0);
}

void GuestFpu::set_guest_xcr0(uint64_t xcr0) {
    if (!area_) return xsetbv(xcr0); // no area: XCR0 is all there is to switch
    cpu::IrqSave irq; // the owner table and the live registers must not change under us
    uint64_t fresh = newly_saved(xcr0_, xcr0);
    bool live = cpu_ >= 0 && g_owner[kern::this_cpu().index] == this;
    if (fresh && live) save_live(); // the area becomes the truth for a moment...
    if (fresh) set_initial(area_, fresh);
    xcr0_ = xcr0;
    if (fresh && live) {
        uint64_t mask = save_mask(xcr0_); // ...and goes back, with the new components initial
        xsetbv(mask);
        xsave_insn::xrstor64(area_, mask);
        --saves_; // a reload of its own, not a switch
    }
    xsetbv(HOST_XCR0);
}

} // namespace hv
