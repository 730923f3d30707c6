// Lab 7: the bzImage loader. The rules are in bzimage.h; the layout in boot_protocol.h, which
// names every offset you need (Documentation/x86/boot.rst in linux-source-6.1 explains them).
//
// parse_bzimage(file, size): read the setup header of an untrusted file, in this order:
//   1. a null file or fewer than HDR_INIT_SIZE + 4 bytes: Errc::corrupt "too short ...";
//   2. the boot flag (u16 at HDR_BOOT_FLAG) must be BOOT_FLAG and the magic (u32 at HDR_MAGIC)
//      HDRS_MAGIC, else Errc::corrupt "not a bzImage ..." (name which one: "0xAA55" or "HdrS");
//   3. the protocol version (u16 at HDR_VERSION) must be at least MIN_PROTOCOL (2.12), and
//      xloadflags (u16 at HDR_XLOADFLAGS) must have XLF_KERNEL_64: else Errc::unsupported with
//      a message containing "2.12" or "64-bit";
//   4. header_end = 0x202 + the byte at HDR_JUMP + 1; it must lie in [HDR_INIT_SIZE + 4, 0x290]
//      (the zero page has no more room), else Errc::corrupt mentioning "header";
//   5. setup_sects (u8 at HDR_SETUP_SECTS, 0 means 4); setup_bytes = (setup_sects + 1) * 512
//      must be below size, else Errc::corrupt "truncated ..."; and the kernel after the setup
//      must be at least syssize (u32 at HDR_SYSSIZE) * 16 bytes, else Errc::corrupt "truncated
//      ...";
//   6. fill the other BzImage fields from the header (get_le reads little-endian fields), and
//      refuse an init_size smaller than the kernel (Errc::corrupt mentioning "init_size").
//
// write_boot_params(zero_page, img, file, spec): refuse more than E820_MAX_ENTRIES entries
// (Errc::invalid_argument); zero the page; copy file[HDR_START, img.header_end) to the same
// offsets; set type_of_loader to LOADER_UNDEFINED; store the initrd address and size, the
// command-line address (low 32 bits in the header fields, high 32 bits in the ZP_EXT_ fields)
// and setup_data (64 bits); write the e820 entries (20 bytes each: u64 addr, u64 size, u32
// type) at ZP_E820_TABLE and their count at ZP_E820_ENTRIES. put_le writes little-endian.
#include "hypervisor/core/slave/bzimage.h"

#include "lib/string.h"

namespace hv {

using namespace linux_boot;
using kern::Errc;
using kern::Error;

kern::Result<BzImage> parse_bzimage(const uint8_t* file, size_t size) {
    // TODO(lab7): check the header and fill a BzImage, as described above.
    (void)file;
    (void)size;
    return Error{Errc::unsupported, "lab 7: parse_bzimage() is not written yet"};
}

kern::Result<void> write_boot_params(uint8_t* zero_page, const BzImage& img, const uint8_t* file,
                                     const BootParamsSpec& spec) {
    // TODO(lab7): write the zero page, as described above.
    (void)zero_page;
    (void)img;
    (void)file;
    (void)spec;
    return Error{Errc::unsupported, "lab 7: write_boot_params() is not written yet"};
}

} // namespace hv
