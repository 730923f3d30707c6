// Lab 7 solution, step 2: what Linux's 64-bit boot protocol needs besides the zero page: the
// memory plan with its e820 map, the identity map and GDT, and the state at the entry.
#include "hypervisor/core/slave/linux_entry.h"

#include "hypervisor/core/guest_state.h"
#include "lib/string.h"

namespace hv {

using namespace linux_boot;
using kern::Errc;
using kern::Error;

namespace {
constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t PAGE = 4096;
constexpr uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}
} // namespace

kern::Result<SlavePlan> plan_slave_memory(uint64_t ram_bytes, const BzImage& img,
                                          uint64_t initrd_size, size_t cmdline_len,
                                          uint64_t channel_bytes) {
    if (ram_bytes % (2 * MiB) || ram_bytes < 16 * MiB || ram_bytes > 1024 * MiB)
        return Error{Errc::invalid_argument,
                     "slave RAM must be a multiple of 2 MiB, 16 MiB to 1 GiB"};
    if (channel_bytes % (2 * MiB) || channel_bytes > 256 * MiB)
        return Error{Errc::invalid_argument,
                     "channel size must be a multiple of 2 MiB, at most 256 MiB"};
    if (cmdline_len >= PAGE || (img.cmdline_size && cmdline_len > img.cmdline_size))
        return Error{Errc::invalid_argument, "slave command line longer than the kernel accepts"};
    SlavePlan p;
    p.ram_bytes = ram_bytes;
    uint64_t need = img.init_size;
    if (img.pref_address >= MiB && img.pref_address + need <= ram_bytes) {
        p.kernel_gpa = img.pref_address;
    } else if (img.relocatable) {
        uint64_t align = img.kernel_alignment >= PAGE ? img.kernel_alignment : 2 * MiB;
        p.kernel_gpa = align_up(MiB, align);
        if (p.kernel_gpa + need > ram_bytes)
            return Error{Errc::no_memory,
                         "too little memory for the slave: the kernel's init_size does not fit"};
    } else {
        return Error{Errc::no_memory, "too little memory for the slave: its kernel is not "
                                      "relocatable and needs pref_address + init_size"};
    }
    p.entry_gpa = p.kernel_gpa + ENTRY_64_OFFSET;
    if (initrd_size) {
        if (initrd_size > ram_bytes)
            return Error{Errc::no_memory,
                         "too little memory for the slave: the initrd is larger than its RAM"};
        p.initrd_gpa = (ram_bytes - initrd_size) & ~(PAGE - 1);
        p.initrd_size = initrd_size;
        if (p.initrd_gpa < p.kernel_gpa + need)
            return Error{
                Errc::no_memory,
                "too little memory for the slave: the initrd overlaps the kernel's init_size"};
        if (img.initrd_addr_max && p.initrd_gpa + initrd_size - 1 > img.initrd_addr_max)
            return Error{Errc::no_memory,
                         "the initrd would end above the kernel's initrd_addr_max"};
    }
    p.e820[p.e820_count++] = E820Entry{0, SlaveFixed::LOW_RAM_END, E820Type::ram};
    p.e820[p.e820_count++] = E820Entry{MiB, ram_bytes - MiB, E820Type::ram};
    if (channel_bytes) {
        p.channel_gpa = ram_bytes;
        p.channel_bytes = channel_bytes;
        p.e820[p.e820_count++] = E820Entry{p.channel_gpa, channel_bytes, E820Type::reserved};
    }
    return p;
}

void write_identity_map_1g(uint8_t* tables) {
    memset(tables, 0, 3 * PAGE);
    put_le(tables, 8, SlaveFixed::PDPT | 3);      // PML4[0] -> PDPT, present + writable
    put_le(tables + PAGE, 8, SlaveFixed::PD | 3); // PDPT[0] -> PD
    for (uint64_t i = 0; i < 512; ++i)            // PD[i] -> 2 MiB page i (PS = bit 7)
        put_le(tables + 2 * PAGE + 8 * i, 8, (i << 21) | 0x83);
}

uint16_t write_boot_gdt(uint8_t* gdt) {
    memset(gdt, 0, 32);
    put_le(gdt + 0x10, 8, 0x00AF9B000000FFFFull); // code: P, DPL 0, S, execute/read accessed, L, G
    put_le(gdt + 0x18, 8, 0x00CF93000000FFFFull); // data: P, DPL 0, S, read/write accessed, D/B, G
    return 31;
}

void linux_entry_state(VmxGuestState& g, GuestRegs& r, const VmxCaps& caps, const SlavePlan& p,
                       uint16_t gdt_limit) {
    long_mode_guest(g, caps, SlaveFixed::PML4, p.entry_gpa, SlaveFixed::STACK_TOP);
    g.gdtr_base = SlaveFixed::GDT;
    g.gdtr_limit = gdt_limit;
    r = GuestRegs{};
    r.rsi = SlaveFixed::ZERO_PAGE;
}

} // namespace hv
