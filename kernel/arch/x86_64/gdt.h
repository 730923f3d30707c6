// Per-CPU GDT and TSS set-up.
#pragma once

namespace kern {

struct PerCpu;

/// Build `cpu`'s GDT and TSS (IST1 for #DF, IST2 for NMI, IST3 for #MC), load them with LGDT/LTR,
/// reload the segment registers and point GS base at `cpu`. Runs on the CPU it describes.
void gdt_init_cpu(PerCpu& cpu);

} // namespace kern
