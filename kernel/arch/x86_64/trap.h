// Interrupt and exception dispatch.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "core/arch/vectors.h" // Vector: every IDT vector the kernel names

#include <stdint.h>

namespace kern {

/// A handler for one interrupt vector. It runs with interrupts disabled; for LAPIC sources it
/// must send EOI itself (lapic_eoi()).
using TrapHandler = void (*)(TrapFrame& frame);

/// Fill the IDT (once, on the BSP) and load it on the calling CPU.
void idt_init();
/// Load the already-built IDT on an AP.
void idt_load();
/// Route `vector` (>= 32) to `handler`. Replaces any previous handler.
void trap_register(uint8_t vector, TrapHandler handler);
/// Name of an exception vector ("#PF page fault"), or "interrupt" for >= 32.
const char* vector_name(uint64_t vector);

} // namespace kern

extern "C" void trap_dispatch(kern::TrapFrame* frame);
