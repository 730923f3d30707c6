// The cost of keeping guests' FPU state apart (guest_fpu.h), in the `bench` suite
// (test=bench, make bench): Bochs cycles are exact (its TSC counts instructions).
//   guest_fpu_switch       one guest takes the CPU from another: XSAVE of the owner's
//                          x87/SSE/AVX state, XRSTOR of its own, the XCR0 loads around them
//   guest_fpu_enter_leave  a guest alone on its CPU, per VM entry and exit: its XCR0, then the
//                          master's (what every exit pays now; before, one XSETBV at entry)
#include "arch/x86_64/cpu.h"
#include "core/arch/cpuid_bits.h"
#include "hypervisor/core/xsave_layout.h"
#include "hypervisor/guest_fpu.h"
#include "hypervisor/hypervisor.h"
#include "test/ktest.h"
#include "test/report.h"

KTEST(bench, guest_fpu_switch) {
    namespace cpu = kern::cpu;
    if (!hv::hypervisor_available() || !(cpu::cpuid(1).ecx & kern::x86::CPUID_1_ECX_XSAVE)) return;
    using namespace hv::xsave;
    constexpr uint64_t XCR0 = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX; // what Linux sets
    constexpr unsigned N = 1000;
    hv::GuestFpu a, b;
    KREQUIRE(a.init().ok());
    KREQUIRE(b.init().ok());
    a.set_guest_xcr0(XCR0);
    b.set_guest_xcr0(XCR0);
    uint64_t t0, t1, t2;
    {
        cpu::IrqSave irq; // nothing else runs on this CPU while we count
        a.enter();
        t0 = cpu::rdtsc();
        for (unsigned i = 0; i < N; ++i) {
            b.enter();
            a.enter();
        }
        t1 = cpu::rdtsc();
        for (unsigned i = 0; i < N; ++i) {
            a.enter();
            a.leave();
        }
        t2 = cpu::rdtsc();
        a.leave();
    }
    KCHECK(a.saves() == N &&
           a.restores() == N + 1); // every switch saved and restored, nothing more
    kern::report_metric("guest_fpu_switch", (t1 - t0) / (2 * N), "cycles");
    kern::report_metric("guest_fpu_enter_leave", (t2 - t1) / N, "cycles");
    kern::report_metric("guest_fpu_area", a.area_bytes(), "bytes");
}
