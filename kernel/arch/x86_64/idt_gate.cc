// Lab 0, step 2: one IDT gate, bit for bit.
//
// interrupt_gate() (descriptors.h) returns the 16-byte gate the CPU reads when vector n
// arrives: where the handler is (split over three fields), which code segment it runs in, the
// gate's type, its DPL and whether it is present, and which Interrupt Stack Table entry to
// switch to. SDM Vol 3A 7.14.1, Figure 7-8 has the layout; 7.14.5 the IST. Pure code: the host
// test idt_gate_test checks every field.
#include "arch/x86_64/descriptors.h"

namespace kern::x86 {

GateDescriptor interrupt_gate(uint64_t handler, unsigned dpl, unsigned ist) {
    // TODO(lab0): build the gate.
    (void)handler;
    (void)dpl;
    (void)ist;
    return {};
}

} // namespace kern::x86
