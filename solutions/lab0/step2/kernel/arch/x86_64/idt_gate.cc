// Lab 0, step 2: one IDT gate, bit for bit.
//
// interrupt_gate() (descriptors.h) returns the 16-byte gate the CPU reads when vector n
// arrives: where the handler is (split over three fields), which code segment it runs in, the
// gate's type, its DPL and whether it is present, and which Interrupt Stack Table entry to
// switch to. SDM Vol 3A 7.14.1, Figure 7-8 has the layout; 7.14.5 the IST. Pure code: the host
// test idt_gate_test checks every field.
#include "arch/x86_64/descriptors.h"

namespace kern::x86 {

namespace {
constexpr uint8_t GATE_PRESENT = 0x80;       // P, bit 47 of the gate
constexpr unsigned GATE_DPL_SHIFT = 5;       // DPL, bits 46:45
constexpr uint8_t GATE_TYPE_INTERRUPT = 0xE; // 64-bit interrupt gate: clears IF
constexpr uint8_t GATE_IST_MASK = 7;         // IST, bits 34:32
} // namespace

GateDescriptor interrupt_gate(uint64_t handler, unsigned dpl, unsigned ist) {
    GateDescriptor g;
    g.offset_low = uint16_t(handler);
    g.offset_mid = uint16_t(handler >> 16);
    g.offset_high = uint32_t(handler >> 32);
    g.selector = KERNEL_CS;
    g.ist = uint8_t(ist & GATE_IST_MASK);
    g.type_attr = uint8_t(GATE_PRESENT | (dpl & 3) << GATE_DPL_SHIFT | GATE_TYPE_INTERRUPT);
    return g;
}

} // namespace kern::x86
