// Lab 7 solution: bzImage parsing and the zero page (rules in bzimage.h).
#include "hypervisor/core/slave/bzimage.h"

#include "lib/string.h"

namespace hv {

using namespace linux_boot;
using kern::Errc;
using kern::Error;

/// The zero page's setup header ends before this offset (the e820 table follows at 0x2D0).
static constexpr size_t HDR_ROOM_END = 0x290;

kern::Result<BzImage> parse_bzimage(const uint8_t* file, size_t size) {
    if (!file || size < HDR_INIT_SIZE + 4)
        return Error{Errc::corrupt, "too short for a bzImage setup header (under 612 bytes)"};
    if (get_le16(file + HDR_BOOT_FLAG) != BOOT_FLAG)
        return Error{Errc::corrupt, "not a bzImage: no 0xAA55 boot flag at offset 0x1FE"};
    if (get_le32(file + HDR_MAGIC) != HDRS_MAGIC)
        return Error{Errc::corrupt, "not a bzImage: no \"HdrS\" magic at offset 0x202"};
    BzImage b;
    b.protocol = get_le16(file + HDR_VERSION);
    if (b.protocol < MIN_PROTOCOL)
        return Error{Errc::unsupported, "boot protocol older than 2.12: no 64-bit entry point"};
    if (!(get_le16(file + HDR_XLOADFLAGS) & XLF_KERNEL_64))
        return Error{Errc::unsupported, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)"};
    b.header_end = 0x202 + file[HDR_JUMP + 1];
    if (b.header_end > HDR_ROOM_END || b.header_end < HDR_INIT_SIZE + 4)
        return Error{Errc::corrupt, "setup header length (byte 0x201) out of range"};
    size_t sects = file[HDR_SETUP_SECTS] ? file[HDR_SETUP_SECTS] : 4;
    b.setup_bytes = (sects + 1) * 512;
    if (b.setup_bytes >= size)
        return Error{Errc::corrupt, "truncated: the setup sectors leave no kernel"};
    b.kernel = file + b.setup_bytes;
    b.kernel_size = size - b.setup_bytes;
    if (b.kernel_size < get_le32(file + HDR_SYSSIZE) * 16)
        return Error{Errc::corrupt,
                     "truncated: the file is shorter than the kernel size in its header (syssize)"};
    b.pref_address = get_le64(file + HDR_PREF_ADDRESS);
    b.init_size = get_le32(file + HDR_INIT_SIZE);
    b.kernel_alignment = get_le32(file + HDR_KERNEL_ALIGNMENT);
    b.relocatable = file[HDR_RELOCATABLE] != 0;
    b.cmdline_size = get_le32(file + HDR_CMDLINE_SIZE);
    b.initrd_addr_max = get_le32(file + HDR_INITRD_ADDR_MAX);
    if (b.init_size < b.kernel_size)
        return Error{Errc::corrupt, "init_size is smaller than the kernel itself"};
    return b;
}

kern::Result<void> write_boot_params(uint8_t* zp, const BzImage& img, const uint8_t* file,
                                     const BootParamsSpec& spec) {
    if (spec.e820_count > E820_MAX_ENTRIES)
        return Error{Errc::invalid_argument, "more e820 entries than the zero page holds (128)"};
    memset(zp, 0, ZERO_PAGE_SIZE);
    memcpy(zp + HDR_START, file + HDR_START, img.header_end - HDR_START);
    zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    put_le(zp + HDR_RAMDISK_SIZE, 4, spec.initrd_size);
    put_le(zp + ZP_EXT_RAMDISK_SIZE, 4, spec.initrd_size >> 32);
    put_le(zp + HDR_RAMDISK_IMAGE, 4, spec.initrd_gpa);
    put_le(zp + ZP_EXT_RAMDISK_IMAGE, 4, spec.initrd_gpa >> 32);
    put_le(zp + HDR_CMD_LINE_PTR, 4, spec.cmdline_gpa);
    put_le(zp + ZP_EXT_CMD_LINE_PTR, 4, spec.cmdline_gpa >> 32);
    put_le(zp + HDR_SETUP_DATA, 8, spec.setup_data_gpa);
    zp[ZP_E820_ENTRIES] = uint8_t(spec.e820_count);
    for (size_t i = 0; i < spec.e820_count; ++i) {
        uint8_t* e = zp + ZP_E820_TABLE + i * E820_ENTRY_SIZE;
        put_le(e, 8, spec.e820[i].addr);
        put_le(e + 8, 8, spec.e820[i].size);
        put_le(e + 16, 4, uint32_t(spec.e820[i].type));
    }
    return {};
}

} // namespace hv
