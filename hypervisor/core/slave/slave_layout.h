// Where a Linux slave's boot pieces go in its guest-physical memory, and the small structures
// the hypervisor writes there besides the zero page: identity page tables, a GDT with the
// selectors the 64-bit boot protocol expects, and the Jailhouse setup_data record.
//
//   0x1000 PML4 | 0x2000 PDPT | 0x3000 PD | 0x4000 GDT | 0x5000 zero page | 0x6000 setup_data
//   0x7000 command line | 0x8000-0x9000 boot stack | ... kernel at its load address ...
//   initrd at the top of RAM | [RAM end, + channel) reserved in e820 (the delegation channel)
//
// Pure: host tests check plans against the images and sizes the kit really uses. The plan, the
// identity map and the GDT are lab 7, step 2 (linux_boot.cc); the Jailhouse record is the kit's
// (slave_layout.cc).
#pragma once

#include "core/result.h"
#include "hypervisor/core/slave/bzimage.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// Fixed guest-physical addresses of the loader's own structures (all below 0x9F000).
struct SlaveFixed {
    static constexpr uint64_t PML4 = 0x1000;         ///< 4-level identity map of the first 1 GiB
    static constexpr uint64_t PDPT = 0x2000;         ///< its PDPT
    static constexpr uint64_t PD = 0x3000;           ///< its PD: 512 x 2 MiB
    static constexpr uint64_t GDT = 0x4000;          ///< null, null, 0x10 code64, 0x18 data
    static constexpr uint64_t ZERO_PAGE = 0x5000;    ///< struct boot_params
    static constexpr uint64_t SETUP_DATA = 0x6000;   ///< the SETUP_JAILHOUSE record
    static constexpr uint64_t CMDLINE = 0x7000;      ///< NUL-terminated, at most 4095 bytes
    static constexpr uint64_t STACK_TOP = 0x9000;    ///< RSP at entry (Linux switches at once)
    static constexpr uint64_t LOW_RAM_END = 0x9F000; ///< e820: RAM below 1 MiB ends here
};

/// The slave's memory plan.
struct SlavePlan {
    uint64_t ram_bytes = 0;     ///< guest RAM [0, ram_bytes)
    uint64_t kernel_gpa = 0;    ///< where the protected-mode kernel is copied
    uint64_t entry_gpa = 0;     ///< 64-bit entry: kernel_gpa + 0x200
    uint64_t initrd_gpa = 0;    ///< where the initrd is copied (0 if none)
    uint64_t initrd_size = 0;   ///< its size
    uint64_t channel_gpa = 0;   ///< shared channel (e820-reserved, outside RAM); 0 if none
    uint64_t channel_bytes = 0; ///< its size
    E820Entry e820[3] = {};     ///< low RAM, RAM above 1 MiB, the channel
    size_t e820_count = 0;      ///< entries used
};

/// Plan a slave with @p ram_bytes of RAM (a multiple of 2 MiB, 16 MiB to 1 GiB) for kernel
/// @p img, an initrd of @p initrd_size bytes, a command line of @p cmdline_len bytes (without
/// the NUL) and a channel of @p channel_bytes (a multiple of 2 MiB, 0 = none) right after RAM.
/// The kernel goes to its preferred address (or, if relocatable, the lowest aligned address
/// above 1 MiB that fits); the initrd to the top of RAM, page-aligned. Errors say what does not
/// fit: "too little memory for the slave..." names the piece.
kern::Result<SlavePlan> plan_slave_memory(uint64_t ram_bytes, const BzImage& img,
                                          uint64_t initrd_size, size_t cmdline_len,
                                          uint64_t channel_bytes);

/// What Linux's Jailhouse guest code reads from the SETUP_JAILHOUSE record (payload version 2,
/// arch/x86/include/uapi/asm/bootparam.h: struct jailhouse_setup_data).
struct JailhouseInfo {
    uint16_t pm_timer_port = 0;   ///< ACPI PM timer I/O port, 0 = none
    uint32_t tsc_khz = 0;         ///< TSC frequency
    uint32_t apic_khz = 0;        ///< LAPIC timer frequency
    bool standard_ioapic = false; ///< an IOAPIC at 0xFEC00000 for legacy IRQs
    uint8_t cpu_ids[8] = {};      ///< APIC ids of the slave's CPUs
    uint16_t num_cpus = 0;        ///< entries of cpu_ids used (at least 1)
    uint32_t uart_mask = 0;       ///< bit n: PC UART n (0 = 0x3F8) may be probed
};

/// Payload bytes of a version 2 record (packed).
inline constexpr size_t JAILHOUSE_SETUP_V2_SIZE = 284;

/// Write a setup_data header (next = 0, type SETUP_JAILHOUSE, len 284) and the payload for
/// @p info into @p out, which holds linux_boot::SETUP_DATA_HEADER + 284 bytes. Returns the bytes
/// written.
size_t write_jailhouse_setup_data(uint8_t* out, const JailhouseInfo& info);

/// Identity-map guest-physical [0, 1 GiB) with 2 MiB pages: PML4, PDPT and PD written into the
/// three 4 KiB pages at @p tables, which the guest sees at SlaveFixed::PML4/PDPT/PD.
void write_identity_map_1g(uint8_t* tables);

/// The GDT at SlaveFixed::GDT: null, null, 0x10 = 64-bit code, 0x18 = data (boot.rst: "__BOOT_CS
/// (0x10) ... __BOOT_DS (0x18)"). Writes 32 bytes; returns the GDTR limit.
uint16_t write_boot_gdt(uint8_t* gdt);

} // namespace hv
