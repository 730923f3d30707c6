// Per-CPU GDT and TSS set-up.
#pragma once

namespace kern {

struct PerCpu;

/// The Interrupt Stack Table entries (SDM Vol 3A 7.14.5) the TSS fills, one known-good stack
/// each for the faults that must not trust the stack they interrupted: a double fault after a
/// kernel stack overflow, an NMI or a machine check that lands anywhere (even right after
/// SYSCALL, before the kernel stack is loaded). An IDT gate names them by number.
enum IstIndex : unsigned {
    IST_DF = 1,  ///< #DF double fault
    IST_NMI = 2, ///< NMI
    IST_MC = 3,  ///< #MC machine check
};
/// Number of IST stacks each CPU has.
inline constexpr unsigned IST_STACKS = 3;
/// Bytes in each IST stack.
inline constexpr unsigned IST_STACK_SIZE = 8192;

/// Build `cpu`'s GDT and TSS (IST1 for #DF, IST2 for NMI, IST3 for #MC), load them with LGDT/LTR,
/// reload the segment registers and point GS base at `cpu`. Runs on the CPU it describes.
void gdt_init_cpu(PerCpu& cpu);

} // namespace kern
