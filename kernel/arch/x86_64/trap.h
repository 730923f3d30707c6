// Interrupt and exception dispatch.
#pragma once

#include "arch/x86_64/trap_frame.h"

#include <stdint.h>

namespace kern {

/// Exception vectors (SDM Vol 3A 7.3, Table 7-1).
enum Vector : uint8_t {
    VEC_DE = 0,
    VEC_DB = 1,
    VEC_NMI = 2,
    VEC_BP = 3,
    VEC_OF = 4,
    VEC_BR = 5,
    VEC_UD = 6,
    VEC_NM = 7,
    VEC_DF = 8,
    VEC_TS = 10,
    VEC_NP = 11,
    VEC_SS = 12,
    VEC_GP = 13,
    VEC_PF = 14,
    VEC_MF = 16,
    VEC_AC = 17,
    VEC_MC = 18,
    VEC_XM = 19,
    VEC_VE = 20,
    VEC_CP = 21,
    /// First vector for device and IPI interrupts.
    VEC_FIRST_IRQ = 32,
    /// LAPIC spurious-interrupt vector (low 4 bits all ones, as old xAPICs require).
    VEC_SPURIOUS = 0xFF,
};

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
