// Lab 9, step 1: the virtual x2APIC of a babysat slave. Contracts in
// hypervisor/core/slave/vlapic.h; the handout (labs/lab9-babysat/README.md) walks through them.
#include "hypervisor/core/slave/vlapic.h"

#include "core/arch/apic_bits.h"
#include "core/arch/msr.h"

namespace hv {

void VirtualLapic::seed(uint32_t svr, uint32_t tpr, uint32_t lvt_timer, uint64_t tsc_deadline) {
    (void)svr;
    (void)tpr;
    (void)lvt_timer;
    (void)tsc_deadline; // TODO(lab 9)
}

bool VirtualLapic::handles(uint32_t msr) {
    (void)msr;
    return false; // TODO(lab 9)
}

int VirtualLapic::highest(const uint32_t (&a)[8]) {
    (void)a;
    return -1; // TODO(lab 9)
}

uint32_t VirtualLapic::ppr() const {
    return 0; // TODO(lab 9)
}

int VirtualLapic::pending() const {
    return -1; // TODO(lab 9)
}

void VirtualLapic::accept(uint8_t vector) {
    (void)vector; // TODO(lab 9)
}

void VirtualLapic::deliver(uint8_t vector) {
    (void)vector; // TODO(lab 9)
}

void VirtualLapic::tick(uint64_t now) {
    (void)now; // TODO(lab 9)
}

uint64_t VirtualLapic::take_icr() {
    return 0; // TODO(lab 9)
}

bool VirtualLapic::read(uint32_t msr, uint64_t& value) const {
    (void)msr;
    value = 0;
    return false; // TODO(lab 9)
}

bool VirtualLapic::write(uint32_t msr, uint64_t value) {
    (void)msr;
    (void)value;
    return false; // TODO(lab 9)
}

} // namespace hv
