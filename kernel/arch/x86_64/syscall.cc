// SYSCALL/SYSRET set-up (SDM Vol 3A 5.8.8 "Fast System Calls in 64-Bit Mode").
#include "arch/x86_64/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"

extern "C" void syscall_entry();

namespace kern {

namespace {
constexpr uint32_t MSR_IA32_EFER = 0xC0000080, MSR_IA32_STAR = 0xC0000081,
                   MSR_IA32_LSTAR = 0xC0000082, MSR_IA32_FMASK = 0xC0000084,
                   MSR_IA32_KERNEL_GS_BASE = 0xC0000102;
constexpr uint64_t EFER_SCE = 1;
} // namespace

void syscall_init_cpu() {
    cpu::wrmsr(MSR_IA32_EFER, cpu::rdmsr(MSR_IA32_EFER) | EFER_SCE);
    // STAR[47:32]: kernel CS (SS = CS+8); STAR[63:48]: base for SYSRET (CS = base+16, SS = base+8).
    cpu::wrmsr(MSR_IA32_STAR,
               (uint64_t(x86::USER_CS32 | 3) << 48) | (uint64_t(x86::KERNEL_CS) << 32));
    cpu::wrmsr(MSR_IA32_LSTAR, reinterpret_cast<uint64_t>(&syscall_entry));
    // Clear IF, TF, DF, AC on entry: start with interrupts off and a sane direction flag.
    cpu::wrmsr(MSR_IA32_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18));
    // The user's GS base while in the kernel (SWAPGS exchanges it with GS base): 0.
    cpu::wrmsr(MSR_IA32_KERNEL_GS_BASE, 0);
}

} // namespace kern
