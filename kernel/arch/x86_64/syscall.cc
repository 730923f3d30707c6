// SYSCALL/SYSRET set-up (SDM Vol 3A 5.8.8 "Fast System Calls in 64-Bit Mode").
#include "arch/x86_64/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"
#include "core/arch/control_regs.h"
#include "core/arch/msr.h"

extern "C" void syscall_entry();

namespace kern {

void syscall_init_cpu() {
    using namespace x86;
    cpu::wrmsr(IA32_EFER, cpu::rdmsr(IA32_EFER) | IA32_EFER_SCE);
    // STAR[47:32]: kernel CS (SS = CS+8); STAR[63:48]: base for SYSRET (CS = base+16, SS = base+8).
    cpu::wrmsr(IA32_STAR, (uint64_t(USER_CS32 | 3) << 48) | (uint64_t(KERNEL_CS) << 32));
    cpu::wrmsr(IA32_LSTAR, reinterpret_cast<uint64_t>(&syscall_entry));
    // Clear IF, TF, DF, AC on entry: start with interrupts off and a sane direction flag.
    cpu::wrmsr(IA32_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
    // The user's GS base while in the kernel (SWAPGS exchanges it with GS base): 0.
    cpu::wrmsr(IA32_KERNEL_GS_BASE, 0);
}

} // namespace kern
