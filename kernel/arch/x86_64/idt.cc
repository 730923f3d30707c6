// Lab 0, step 2: the IDT: one interrupt gate per vector, loaded with LIDT on every CPU
// (SDM Vol 3A 7.10 the IDT and IDTR, 7.14 64-bit mode's gates and stack switching).
//
// idt_init() and idt_load() are specified in trap.h: every vector 0-255 present, each gate
// leading to your entry code in trap_entry.S for that vector, the IST and DPL rules for #DF,
// NMI, #MC and #BP. How the IDT finds your entry code (a table of addresses, stubs at a fixed
// stride, ...) is between this file and trap_entry.S: both are yours.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"

namespace kern {

void idt_init() {
    // TODO(lab0): build the IDT with interrupt_gate(), then load it.
}

void idt_load() {
    // TODO(lab0): LIDT (cpu.h) with the IDT's base and limit.
}

} // namespace kern
