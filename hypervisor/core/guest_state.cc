// Lab 5, step 3: the guest state of the test guests. The contracts are the comments of
// real_mode_guest(), protected32_guest() and long_mode_guest() in guest_state.h; the VM-entry
// checker (entry_check/) says which rule a state breaks, with the field and the SDM section.
#include "hypervisor/core/guest_state.h"

namespace hv {

void real_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint16_t cs, uint16_t ip, uint16_t sp) {
    // TODO(lab5 step 3): the challenge (needs "unrestricted guest")
    (void)caps;
    (void)cs;
    (void)ip;
    (void)sp;
    g = VmxGuestState{};
}

void protected32_guest(VmxGuestState& g, const VmxCaps& caps, uint32_t eip, uint32_t esp) {
    // TODO(lab5 step 3)
    (void)caps;
    (void)eip;
    (void)esp;
    g = VmxGuestState{};
}

void long_mode_guest(VmxGuestState& g, const VmxCaps& caps, uint64_t cr3, uint64_t rip,
                     uint64_t rsp) {
    // TODO(lab5 step 3)
    (void)caps;
    (void)cr3;
    (void)rip;
    (void)rsp;
    g = VmxGuestState{};
}

} // namespace hv
