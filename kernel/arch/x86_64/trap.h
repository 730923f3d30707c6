// Interrupt and exception dispatch.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "core/arch/vectors.h" // Vector: every IDT vector the kernel names

#include <stdint.h>

namespace kern {

/// A handler for one interrupt vector. It runs with interrupts disabled; for LAPIC sources it
/// must send EOI itself (lapic_eoi()).
using TrapHandler = void (*)(TrapFrame& frame);

/// Lab 0 (idt.cc): build the IDT (once, on the BSP) and load it on the calling CPU. Every
/// vector 0-255 gets a present interrupt gate (descriptors.h interrupt_gate) to the entry code
/// of trap_entry.S that hands that vector to trap_dispatch(); #DF, NMI and #MC switch to the
/// known-good stacks IST1, IST2 and IST3 (gdt.cc sets them up), every other vector stays on
/// its stack; only #BP (INT3) may be raised from user mode (DPL 3), every other gate has DPL 0.
void idt_init();
/// Lab 0 (idt.cc): load the IDT idt_init() built on the calling CPU (an AP).
void idt_load();
/// Route `vector` (>= 32) to `handler`. Replaces any previous handler.
void trap_register(uint8_t vector, TrapHandler handler);
/// Name of an exception vector ("#PF page fault"), or "interrupt" for >= 32.
const char* vector_name(uint64_t vector);

} // namespace kern

extern "C" void trap_dispatch(kern::TrapFrame* frame);
