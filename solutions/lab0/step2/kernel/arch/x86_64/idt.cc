// Lab 0, step 2: the IDT: one interrupt gate per vector, pointing at the entry stubs of
// trap_entry.S, loaded with LIDT on every CPU (SDM Vol 3A 7.10, 7.14).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"

/// The first entry stub (trap_entry.S): stub n is at trap_stub_base + TRAP_STUB_SIZE * n.
extern "C" char trap_stub_base[];

namespace kern {

namespace {
constexpr unsigned VECTORS = 256;
constexpr unsigned TRAP_STUB_SIZE = 16; // trap_entry.S aligns each stub to 16 bytes

x86::GateDescriptor g_idt[VECTORS];

unsigned ist_for(unsigned vector) {
    switch (vector) {
    case VEC_DF:
        return IST_DF;
    case VEC_NMI:
        return IST_NMI;
    case VEC_MC:
        return IST_MC;
    default:
        return 0;
    }
}
} // namespace

void idt_init() {
    for (unsigned v = 0; v < VECTORS; ++v) {
        unsigned dpl = v == VEC_BP ? 3 : 0;
        uint64_t stub = reinterpret_cast<uint64_t>(trap_stub_base + TRAP_STUB_SIZE * v);
        g_idt[v] = x86::interrupt_gate(stub, dpl, ist_for(v));
    }
    idt_load();
}

void idt_load() {
    cpu::DescriptorTableRegister idtr{uint16_t(sizeof g_idt - 1),
                                      reinterpret_cast<uint64_t>(g_idt)};
    cpu::lidt(idtr);
}

} // namespace kern
