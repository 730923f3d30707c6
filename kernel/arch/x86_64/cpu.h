// One-instruction wrappers for privileged x86 instructions: the only inline asm in the kernel.
// Each is always_inline so that a wrapper costs exactly its instruction (Bochs cycle counts
// then measure our code, not call overhead). Names follow the SDM's instruction names.
#pragma once

#include "core/arch/control_regs.h"

#include <stddef.h>
#include <stdint.h>

namespace kern::cpu {

#define KERN_ASM_INLINE [[gnu::always_inline]] inline

KERN_ASM_INLINE void outb(uint16_t port, uint8_t v) {
    asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
KERN_ASM_INLINE void outw(uint16_t port, uint16_t v) {
    asm volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
KERN_ASM_INLINE void outl(uint16_t port, uint32_t v) {
    asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
KERN_ASM_INLINE uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
KERN_ASM_INLINE uint16_t inw(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
KERN_ASM_INLINE uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

KERN_ASM_INLINE uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
KERN_ASM_INLINE void wrmsr(uint32_t msr, uint64_t v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)) : "memory");
}

/// CPUID leaf/subleaf result (SDM Vol 2A, CPUID).
struct CpuidResult {
    /// @{
    uint32_t eax, ebx, ecx, edx; ///< the registers CPUID returns
    /// @}
};
KERN_ASM_INLINE CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

/// Time-stamp counter. Not serializing: a fence is the caller's business where order matters.
KERN_ASM_INLINE uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

KERN_ASM_INLINE uint64_t read_cr0() {
    uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
KERN_ASM_INLINE uint64_t read_cr2() {
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
KERN_ASM_INLINE uint64_t read_cr3() {
    uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
KERN_ASM_INLINE uint64_t read_cr4() {
    uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
KERN_ASM_INLINE void write_cr0(uint64_t v) {
    asm volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}
KERN_ASM_INLINE void write_cr3(uint64_t v) {
    asm volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
KERN_ASM_INLINE void write_cr4(uint64_t v) {
    asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}
KERN_ASM_INLINE uint64_t read_rflags() {
    uint64_t v;
    asm volatile("pushfq; popq %0" : "=r"(v));
    return v;
}
KERN_ASM_INLINE uint64_t read_rbp() {
    uint64_t v;
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

KERN_ASM_INLINE void invlpg(uintptr_t va) {
    asm volatile("invlpg (%0)" ::"r"(va) : "memory");
}
KERN_ASM_INLINE void cli() {
    asm volatile("cli" ::: "memory");
}
KERN_ASM_INLINE void sti() {
    asm volatile("sti" ::: "memory");
}

/// Turn interrupts on and take the ones pending now, before returning. STI delays interrupts
/// until after the next instruction (SDM Vol 2B STI: its "interrupt shadow"), so "sti; cli"
/// would take none; the NOP is that next instruction.
KERN_ASM_INLINE void sti_and_take_pending() {
    asm volatile("sti; nop" ::: "memory");
}
KERN_ASM_INLINE void hlt() {
    asm volatile("hlt" ::: "memory");
}
KERN_ASM_INLINE void pause() {
    asm volatile("pause");
}
KERN_ASM_INLINE void mfence() {
    asm volatile("mfence" ::: "memory");
}

/// Descriptor-table register image for LGDT/LIDT (SDM Vol 3A 3.5.1, Figure 3-11).
struct [[gnu::packed]] DescriptorTableRegister {
    uint16_t limit; ///< size of the table in bytes, minus 1
    uint64_t base;  ///< linear address of the table
};
static_assert(sizeof(DescriptorTableRegister) == 10);
KERN_ASM_INLINE void lgdt(const DescriptorTableRegister& r) {
    asm volatile("lgdt %0" ::"m"(r));
}
KERN_ASM_INLINE void lidt(const DescriptorTableRegister& r) {
    asm volatile("lidt %0" ::"m"(r));
}
KERN_ASM_INLINE void ltr(uint16_t sel) {
    asm volatile("ltr %0" ::"r"(sel));
}

/// Disable interrupts and return the RFLAGS they were disabled from, for irq_restore(). For a
/// critical section that is a scope, IrqSave does both.
KERN_ASM_INLINE uint64_t irq_save() {
    uint64_t rflags = read_rflags();
    cli();
    return rflags;
}
/// Enable interrupts again if @p rflags (from irq_save()) had RFLAGS.IF set; otherwise leave
/// them disabled (the caller's caller disabled them).
KERN_ASM_INLINE void irq_restore(uint64_t rflags) {
    if (rflags & x86::RFLAGS_IF) sti();
}

/// Interrupts disabled for a scope, then restored to what they were: the constructor saves
/// RFLAGS (PUSHFQ) and executes CLI; the destructor executes STI only if RFLAGS.IF was set, so
/// guards nest and a scope entered with interrupts off leaves them off.
class IrqSave {
  public:
    IrqSave() : m_rflags(irq_save()) {}
    ~IrqSave() { irq_restore(m_rflags); }
    IrqSave(const IrqSave&) = delete;
    IrqSave& operator=(const IrqSave&) = delete;

    /// True if interrupts were enabled when the guard was made (and will be again after it).
    bool were_enabled() const { return (m_rflags & x86::RFLAGS_IF) != 0; }

  private:
    uint64_t m_rflags;
};

/// Interrupts stay disabled forever; the CPU sleeps.
[[noreturn]] inline void halt_forever() {
    for (;;) {
        cli();
        hlt();
    }
}

} // namespace kern::cpu
