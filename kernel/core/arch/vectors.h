// The interrupt-vector table: every IDT vector the kernel names, in one place. Vectors 0-31 are
// the architecture's exceptions (SDM Vol 3A 6.3.1, Table 6-1; 7.3, Table 7-1 in 2023 and later
// editions); 32-255 are the kernel's choice. The local APIC orders fixed interrupts by priority
// class, vector / 16 (SDM Vol 3A 11.8.3.1): IPIs (class 15) beat timers (class 14), and the
// spurious vector has its low 4 bits set, as P6-family xAPICs require (SDM Vol 3A 11.9).
// A Linux slave picks its own vectors on its own CPU (its local APIC is lent to it); the
// hypervisor injects only exceptions named here. Pure: host tests read it too.
#pragma once

#include <stdint.h>

namespace kern {

/// An IDT vector.
enum Vector : uint8_t {
    VEC_DE = 0,  ///< divide error
    VEC_DB = 1,  ///< debug
    VEC_NMI = 2, ///< non-maskable interrupt
    VEC_BP = 3,  ///< breakpoint (INT3)
    VEC_OF = 4,  ///< overflow (INTO)
    VEC_BR = 5,  ///< BOUND range exceeded
    VEC_UD = 6,  ///< invalid opcode
    VEC_NM = 7,  ///< device not available
    VEC_DF = 8,  ///< double fault
    VEC_TS = 10, ///< invalid TSS
    VEC_NP = 11, ///< segment not present
    VEC_SS = 12, ///< stack-segment fault
    VEC_GP = 13, ///< general protection
    VEC_PF = 14, ///< page fault
    VEC_MF = 16, ///< x87 floating-point error
    VEC_AC = 17, ///< alignment check
    VEC_MC = 18, ///< machine check
    VEC_XM = 19, ///< SIMD floating-point exception
    VEC_VE = 20, ///< virtualization exception
    VEC_CP = 21, ///< control-protection exception
    /// First vector for device and IPI interrupts.
    VEC_FIRST_IRQ = 32,
    /// Lab 0's trap tests: a software interrupt (INT 0x40) through the whole trap path.
    VEC_TEST_TRAP = 0x40,
    /// Lab 2's test of a device interrupt routed through the IOAPIC (the PIT's IRQ 0).
    VEC_TEST_DEVICE = 0x50,
    /// Lab 2's test of the LAPIC one-shot timer (kernel/test/lab2_tests.cc).
    VEC_TEST_TIMER = 0xE0,
    /// The scheduler's LAPIC timer: the next deadline or budget expiry on this CPU.
    VEC_TIMER = 0xE1,
    /// The LVT timer's vector while clock calibration counts with the timer masked: never
    /// delivered, but the LVT needs a valid vector (16-255).
    VEC_CALIBRATION = 0xFE,
    /// IPI: answer with a pong to the sender (tests, latency measurement).
    IPI_PING = 0xF0,
    /// IPI: stop this CPU for good (panic on another CPU).
    IPI_HALT = 0xF1,
    /// IPI: a thread became ready on the target CPU; its scheduler should look again.
    IPI_RESCHED = 0xF2,
    /// LAPIC spurious-interrupt vector (low 4 bits all ones, as old xAPICs require).
    VEC_SPURIOUS = 0xFF,
};

/// The vectors the kernel chose (32-255), for the distinctness check below.
inline constexpr uint8_t KERNEL_VECTORS[] = {VEC_TEST_TRAP,   VEC_TEST_TIMER, VEC_TIMER,
                                             VEC_CALIBRATION, IPI_PING,       IPI_HALT,
                                             IPI_RESCHED,     VEC_SPURIOUS};

/// True if no two of the kernel's vectors are equal and none is an exception vector.
constexpr bool kernel_vectors_distinct() {
    for (unsigned i = 0; i < sizeof KERNEL_VECTORS; ++i) {
        if (KERNEL_VECTORS[i] < VEC_FIRST_IRQ) return false;
        for (unsigned j = i + 1; j < sizeof KERNEL_VECTORS; ++j)
            if (KERNEL_VECTORS[i] == KERNEL_VECTORS[j]) return false;
    }
    return true;
}
static_assert(kernel_vectors_distinct(), "two kernel interrupt sources share a vector");
static_assert(IPI_PING / 16 > VEC_TIMER / 16, "IPIs must outrank the timer (priority class)");
static_assert((VEC_SPURIOUS & 0xF) == 0xF, "spurious vector: low 4 bits set (SDM Vol 3A 11.9)");

} // namespace kern
