// The loader's view of a Linux bzImage (lab 7): parse the setup header of an untrusted file,
// then write the zero page that the 64-bit boot protocol hands to the kernel.
//
//   file:  | boot sector | setup (setup_sects x 512) | protected-mode kernel (compressed) |
//          0          0x200                    setup_bytes                            size
//                ^ 0x1F1: setup header, copied into the zero page at the same offset
//
// A 64-bit loader copies the protected-mode kernel to its load address, fills a zero page and
// enters at load address + 0x200 in 64-bit mode with RSI = the zero page (boot.rst, "64-bit
// Boot Protocol"). Pure functions: host tests feed them real and corrupt images.
#pragma once

#include "core/result.h"
#include "hypervisor/core/slave/boot_protocol.h"

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// What the loader needs from a bzImage's setup header.
struct BzImage {
    uint16_t protocol = 0;  ///< boot protocol version, e.g. 0x020F for 2.15
    size_t setup_bytes = 0; ///< (setup_sects + 1) * 512: where the kernel starts in the file
    const uint8_t* kernel = nullptr; ///< the protected-mode kernel inside the file
    size_t kernel_size = 0;          ///< its length in bytes
    uint64_t pref_address = 0;       ///< preferred load address
    uint32_t init_size = 0;        ///< bytes the kernel needs from its load address (decompression)
    uint32_t kernel_alignment = 0; ///< alignment a relocated kernel needs
    bool relocatable = false;      ///< may be loaded at another (aligned) address
    uint32_t cmdline_size = 0;     ///< longest command line it accepts, excluding the NUL
    uint32_t initrd_addr_max = 0;  ///< highest address the initrd's last byte may have
    size_t header_end = 0;         ///< end of the setup header (0x202 + the byte at 0x201)
};

/// Parse and check the setup header of the @p size bytes at @p file. Refuses, with a message
/// naming the problem: a file too short for a setup header, a missing 0xAA55 boot flag or
/// "HdrS" magic (not a bzImage), a protocol older than 2.12, a kernel without the 64-bit entry
/// (XLF_KERNEL_64), a setup header that runs past the zero page's room for it (0x290) or past
/// the file, setup sectors that leave no kernel, a kernel shorter than the header's syssize
/// (a truncated file), and an init_size smaller than the kernel.
kern::Result<BzImage> parse_bzimage(const uint8_t* file, size_t size);

/// One e820 entry.
struct E820Entry {
    uint64_t addr;             ///< first byte
    uint64_t size;             ///< bytes
    linux_boot::E820Type type; ///< RAM or reserved
};

/// Where the loader put things, in guest-physical addresses, for the zero page.
struct BootParamsSpec {
    uint64_t cmdline_gpa = 0;        ///< NUL-terminated command line
    uint64_t initrd_gpa = 0;         ///< initrd (0 and initrd_size 0: none)
    uint64_t initrd_size = 0;        ///< its size
    uint64_t setup_data_gpa = 0;     ///< first setup_data record, 0 = none
    const E820Entry* e820 = nullptr; ///< the guest's memory map
    size_t e820_count = 0;           ///< entries at e820
};

/// Write the zero page for @p img into @p zero_page (linux_boot::ZERO_PAGE_SIZE bytes): all
/// zero but the setup header copied from @p img's file (bytes 0x1F1 up to header_end), with
/// type_of_loader = 0xFF, the initrd, command line and setup_data addresses (low 32 bits in the
/// header, high 32 bits in the ext_ fields) and the e820 table. Refuses more than 128 e820
/// entries; @p file is the same buffer parse_bzimage() accepted.
kern::Result<void> write_boot_params(uint8_t* zero_page, const BzImage& img, const uint8_t* file,
                                     const BootParamsSpec& spec);

} // namespace hv
