// Lab 7, step 2: what Linux's 64-bit boot protocol needs besides the zero page (boot.rst in the
// kernel's Documentation/arch/x86, "64-bit Boot Protocol" and "The Linux/x86 Boot Protocol"'s
// loading rules). The contracts are in slave_layout.h and linux_entry.h; the boot protocol's
// field names and constants in boot_protocol.h.
#include "hypervisor/core/slave/linux_entry.h"

#include "hypervisor/core/guest_state.h"
#include "lib/string.h"

namespace hv {

using kern::Errc;
using kern::Error;

kern::Result<SlavePlan> plan_slave_memory(uint64_t ram_bytes, const BzImage& img,
                                          uint64_t initrd_size, size_t cmdline_len,
                                          uint64_t channel_bytes) {
    // TODO(lab7): refuse what cannot work, place the kernel and the initrd, write the e820 map.
    (void)ram_bytes;
    (void)img;
    (void)initrd_size;
    (void)cmdline_len;
    (void)channel_bytes;
    return Error{Errc::unsupported, "TODO(lab7): plan_slave_memory"};
}

void write_identity_map_1g(uint8_t* tables) {
    // TODO(lab7): the three tables that map guest-physical [0, 1 GiB) to itself.
    (void)tables;
}

uint16_t write_boot_gdt(uint8_t* gdt) {
    // TODO(lab7): the boot GDT's four descriptors.
    (void)gdt;
    return 0;
}

void linux_entry_state(VmxGuestState& g, GuestRegs& r, const VmxCaps& caps, const SlavePlan& p,
                       uint16_t gdt_limit) {
    // TODO(lab7): the bootstrap CPU's state and registers at the 64-bit entry.
    (void)g;
    (void)r;
    (void)caps;
    (void)p;
    (void)gdt_limit;
}

} // namespace hv
