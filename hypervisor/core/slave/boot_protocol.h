// The Linux x86 boot protocol, as far as a 64-bit loader needs it: where the setup header sits
// in a bzImage and in the zero page ("struct boot_params"), the e820 table, and setup_data.
// Sources: Documentation/x86/boot.rst and zero-page.rst, arch/x86/include/uapi/asm/bootparam.h
// (linux-source-6.1). Offsets, not structs: the layouts are packed and little-endian, and the
// loader reads them from untrusted bytes.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv::linux_boot {

/// Size of the zero page (struct boot_params).
inline constexpr size_t ZERO_PAGE_SIZE = 4096;

/// Setup-header fields: offsets are the same in the bzImage file and in the zero page.
/// @{
inline constexpr size_t HDR_START = 0x1F1; ///< first byte of the setup header
inline constexpr size_t HDR_SETUP_SECTS =
    0x1F1; ///< u8: 512-byte setup sectors after the boot sector (0 means 4)
inline constexpr size_t HDR_SYSSIZE =
    0x1F4; ///< u32: protected-mode kernel size in 16-byte paragraphs
inline constexpr size_t HDR_BOOT_FLAG = 0x1FE; ///< u16: 0xAA55
inline constexpr size_t HDR_JUMP = 0x200;      ///< u16: jmp; byte 0x201 + 0x202 = end of the header
inline constexpr size_t HDR_MAGIC = 0x202;     ///< u32: "HdrS"
inline constexpr size_t HDR_VERSION = 0x206;   ///< u16: boot protocol version, e.g. 0x020F
inline constexpr size_t HDR_TYPE_OF_LOADER = 0x210;  ///< u8: 0xFF = undefined loader
inline constexpr size_t HDR_LOADFLAGS = 0x211;       ///< u8: bit 0 LOADED_HIGH, bit 7 CAN_USE_HEAP
inline constexpr size_t HDR_RAMDISK_IMAGE = 0x218;   ///< u32: initrd load address (low 32 bits)
inline constexpr size_t HDR_RAMDISK_SIZE = 0x21C;    ///< u32: initrd size (low 32 bits)
inline constexpr size_t HDR_CMD_LINE_PTR = 0x228;    ///< u32: command line address (low 32 bits)
inline constexpr size_t HDR_INITRD_ADDR_MAX = 0x22C; ///< u32: highest address the initrd may end at
inline constexpr size_t HDR_KERNEL_ALIGNMENT = 0x230; ///< u32: alignment a relocatable kernel needs
inline constexpr size_t HDR_RELOCATABLE = 0x234;      ///< u8: the kernel may be loaded elsewhere
inline constexpr size_t HDR_XLOADFLAGS =
    0x236; ///< u16: bit 0 XLF_KERNEL_64 (64-bit entry at +0x200)
inline constexpr size_t HDR_CMDLINE_SIZE = 0x238; ///< u32: longest command line, excluding the NUL
inline constexpr size_t HDR_SETUP_DATA = 0x250;   ///< u64: first setup_data record (guest-physical)
inline constexpr size_t HDR_PREF_ADDRESS = 0x258; ///< u64: preferred load address
inline constexpr size_t HDR_INIT_SIZE =
    0x260; ///< u32: memory the kernel needs from its load address
/// @}

/// Zero-page fields outside the setup header.
/// @{
inline constexpr size_t ZP_EXT_RAMDISK_IMAGE = 0x0C0; ///< u32: initrd address, bits 63:32
inline constexpr size_t ZP_EXT_RAMDISK_SIZE = 0x0C4;  ///< u32: initrd size, bits 63:32
inline constexpr size_t ZP_EXT_CMD_LINE_PTR = 0x0C8;  ///< u32: command line address, bits 63:32
inline constexpr size_t ZP_E820_ENTRIES = 0x1E8;      ///< u8: entries used in the e820 table
inline constexpr size_t ZP_E820_TABLE = 0x2D0;        ///< struct boot_e820_entry[128]
inline constexpr size_t E820_MAX_ENTRIES = 128;       ///< capacity of the zero page's table
inline constexpr size_t E820_ENTRY_SIZE = 20;         ///< u64 addr, u64 size, u32 type (packed)
/// @}

/// Constants.
/// @{
inline constexpr uint16_t BOOT_FLAG = 0xAA55;
inline constexpr uint32_t HDRS_MAGIC = 0x53726448; ///< "HdrS", little endian
/// 2.12 added xloadflags, which says a kernel has the 64-bit entry point this loader uses.
inline constexpr uint16_t MIN_PROTOCOL = 0x020C;
inline constexpr uint16_t XLF_KERNEL_64 = 1u << 0;
inline constexpr uint8_t LOADED_HIGH = 1u << 0;
inline constexpr uint8_t LOADER_UNDEFINED =
    0xFF; ///< type_of_loader for a loader with no assigned id
inline constexpr uint64_t ENTRY_64_OFFSET = 0x200; ///< 64-bit entry = load address + 0x200
/// @}

/// e820 memory types (bootparam.h's E820_TYPE_*).
enum class E820Type : uint32_t { ram = 1, reserved = 2 };

/// struct setup_data: a linked list of typed records after the zero page (boot.rst).
/// @{
inline constexpr size_t SETUP_DATA_HEADER = 16; ///< u64 next, u32 type, u32 len
inline constexpr uint32_t SETUP_JAILHOUSE = 6;  ///< arch/x86/include/uapi/asm/bootparam.h
/// @}

/// Little-endian reads and writes of unaligned fields.
/// @{
inline uint64_t get_le(const uint8_t* p, size_t bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i)
        v |= uint64_t(p[i]) << (8 * i);
    return v;
}
inline void put_le(uint8_t* p, size_t bytes, uint64_t v) {
    for (size_t i = 0; i < bytes; ++i)
        p[i] = uint8_t(v >> (8 * i));
}
/// The u16, u32 and u64 fields of boot.rst's tables, read at their width.
inline uint16_t get_le16(const uint8_t* p) {
    return uint16_t(get_le(p, 2));
}
inline uint32_t get_le32(const uint8_t* p) {
    return uint32_t(get_le(p, 4));
}
inline uint64_t get_le64(const uint8_t* p) {
    return get_le(p, 8);
}
/// @}

} // namespace hv::linux_boot
