// Parsing the multiboot2 boot information (multiboot2 spec 3.6 "Boot information format").
//
// GRUB hands the kernel a list of 8-byte-aligned tags. parse_multiboot2() validates the whole
// structure first (sizes, alignment, an end tag inside the total size) and only then copies what
// the kernel needs into a BootInfo, so the rest of the kernel never touches the raw tags.
#pragma once

#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// One entry of the firmware memory map (multiboot2 tag 6, e820 semantics).
struct MemoryMapEntry {
    uint64_t base;   ///< first byte
    uint64_t length; ///< size in bytes
    uint32_t type;   ///< 1 available, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad RAM
};

/// A linear framebuffer (multiboot2 tag 8, type 1 "direct RGB").
struct BootFramebuffer {
    uint64_t addr = 0;   ///< physical address of pixel (0,0)
    uint32_t pitch = 0;  ///< bytes per line
    uint32_t width = 0;  ///< pixels
    uint32_t height = 0; ///< pixels
    uint8_t bpp = 0;     ///< bits per pixel
    /// @{
    uint8_t red_pos = 0, red_size = 0; ///< red field position and width in bits
    /// @}
    /// @{
    uint8_t green_pos = 0, green_size = 0; ///< green field position and width in bits
    /// @}
    /// @{
    uint8_t blue_pos = 0, blue_size = 0; ///< blue field position and width in bits
    /// @}
};

/// A boot module (multiboot2 tag 3): a file GRUB loaded next to the kernel.
struct BootModule {
    uint64_t start = 0;       ///< physical address of the first byte
    uint64_t end = 0;         ///< physical address one past the last byte
    const char* cmdline = ""; ///< the module's string from grub.cfg (points into the info)
};

/// What the kernel takes from the multiboot2 information.
struct BootInfo {
    static constexpr size_t MAX_MMAP = 128;   ///< memory-map entries kept
    static constexpr size_t MAX_MODULES = 16; ///< modules kept

    /// @{
    uint64_t info_start = 0, info_end = 0; ///< where the boot information itself lies
    /// @}
    const char* cmdline = "";        ///< kernel command line (tag 1)
    const char* loader_name = "";    ///< boot loader name (tag 2)
    MemoryMapEntry mmap[MAX_MMAP];   ///< memory map (tag 6)
    size_t mmap_count = 0;           ///< valid entries in mmap
    bool mmap_truncated = false;     ///< the loader's map had more entries than MAX_MMAP
    BootModule modules[MAX_MODULES]; ///< modules (tag 3)
    size_t module_count = 0;         ///< valid entries in modules
    /// What the screen is: nothing known, VGA text mode (BIOS), or a direct-RGB framebuffer.
    enum class Display {
        none,
        ega_text,
        rgb
    } display = Display::none;     ///< framebuffer kind (tag 8)
    BootFramebuffer framebuffer;   ///< valid when display == rgb
    const uint8_t* rsdp = nullptr; ///< copy of the ACPI RSDP (tag 15, else tag 14)
    size_t rsdp_length = 0;        ///< bytes at rsdp
    bool efi = false;              ///< booted through UEFI (tag 11 or 12 present)
};

/// The value in EAX when a multiboot2 loader enters the kernel.
inline constexpr uint32_t MULTIBOOT2_BOOTLOADER_MAGIC = 0x36d76289;

/// Validate and decode the boot information at `info` (whose first 4 bytes give its total size;
/// `max_size` bounds what the caller can map). On failure the Error says what was malformed.
Result<void> parse_multiboot2(const uint8_t* info, size_t max_size, BootInfo& out);

} // namespace kern
