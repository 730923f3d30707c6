#include "core/boot/multiboot2.h"

#include "lib/string.h"

namespace kern {

namespace {

// Tag types, multiboot2 spec 3.6.
enum : uint32_t {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER_NAME = 2,
    TAG_MODULE = 3,
    TAG_MMAP = 6,
    TAG_FRAMEBUFFER = 8,
    TAG_EFI32 = 11,
    TAG_EFI64 = 12,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15,
};

uint32_t rd32(const uint8_t* p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
uint64_t rd64(const uint8_t* p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

// A string inside a tag must end with a NUL inside the tag.
const char* tag_string(const uint8_t* s, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (s[i] == 0) return reinterpret_cast<const char*>(s);
    return nullptr;
}

Result<void> parse_mmap(const uint8_t* tag, uint32_t size, BootInfo& out) {
    // u32 type, u32 size, u32 entry_size, u32 entry_version, then entries (spec 3.6.8).
    if (size < 16)
        return Error{Errc::corrupt, "multiboot2: memory map tag shorter than its header"};
    uint32_t entry_size = rd32(tag + 8);
    if (entry_size < 24 || entry_size % 8)
        return Error{Errc::corrupt,
                     "multiboot2: memory map entry_size is not a multiple of 8 >= 24"};
    for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
        if (out.mmap_count == BootInfo::MAX_MMAP) {
            out.mmap_truncated = true;
            break;
        }
        MemoryMapEntry& e = out.mmap[out.mmap_count++];
        e.base = rd64(tag + off);
        e.length = rd64(tag + off + 8);
        e.type = rd32(tag + off + 16);
    }
    return {};
}

Result<void> parse_framebuffer(const uint8_t* tag, uint32_t size, BootInfo& out) {
    // u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 type, u16 reserved, colour info
    // (3.6.12).
    if (size < 31) return Error{Errc::corrupt, "multiboot2: framebuffer tag too short"};
    uint8_t type = tag[29];
    if (type == 2) {
        out.display = BootInfo::Display::ega_text;
        return {};
    }
    if (type != 1) return {}; // indexed colour: not supported, stay on serial/VGA
    if (size < 38)
        return Error{Errc::corrupt, "multiboot2: RGB framebuffer tag lacks its colour fields"};
    BootFramebuffer& fb = out.framebuffer;
    fb.addr = rd64(tag + 8);
    fb.pitch = rd32(tag + 16);
    fb.width = rd32(tag + 20);
    fb.height = rd32(tag + 24);
    fb.bpp = tag[28];
    fb.red_pos = tag[32];
    fb.red_size = tag[33];
    fb.green_pos = tag[34];
    fb.green_size = tag[35];
    fb.blue_pos = tag[36];
    fb.blue_size = tag[37];
    out.display = BootInfo::Display::rgb;
    return {};
}

} // namespace

Result<void> parse_multiboot2(const uint8_t* info, size_t max_size, BootInfo& out) {
    if (!info)
        return Error{Errc::invalid_argument, "multiboot2: no boot information pointer (EBX was 0)"};
    if (reinterpret_cast<uintptr_t>(info) % 8)
        return Error{Errc::corrupt, "multiboot2: boot information not 8-byte aligned"};
    uint32_t total = rd32(info);
    if (total < 16 || total > max_size)
        return Error{Errc::corrupt, "multiboot2: implausible total_size in the boot information"};

    out = BootInfo{};
    out.info_start = reinterpret_cast<uintptr_t>(info);
    out.info_end = out.info_start + total;

    // First pass: check the tag chain alone, so a malformed structure is refused before any
    // of it is used (validate, then apply).
    uint32_t off = 8;
    bool found_end = false;
    while (off + 8 <= total) {
        uint32_t type = rd32(info + off), size = rd32(info + off + 4);
        if (size < 8 || size > total - off)
            return Error{Errc::corrupt, "multiboot2: a tag's size runs past total_size"};
        if (type == TAG_END) {
            found_end = true;
            break;
        }
        off += (size + 7) & ~7u;
    }
    if (!found_end) return Error{Errc::corrupt, "multiboot2: no end tag within total_size"};

    for (off = 8;;) {
        const uint8_t* tag = info + off;
        uint32_t type = rd32(tag), size = rd32(tag + 4);
        if (type == TAG_END) break;
        switch (type) {
        case TAG_CMDLINE:
        case TAG_LOADER_NAME: {
            const char* s = tag_string(tag + 8, size - 8);
            if (!s)
                return Error{Errc::corrupt,
                             "multiboot2: command line or loader name not NUL-terminated"};
            (type == TAG_CMDLINE ? out.cmdline : out.loader_name) = s;
            break;
        }
        case TAG_MODULE: {
            if (size < 17) return Error{Errc::corrupt, "multiboot2: module tag too short"};
            const char* s = tag_string(tag + 16, size - 16);
            if (!s) return Error{Errc::corrupt, "multiboot2: module string not NUL-terminated"};
            uint32_t start = rd32(tag + 8), end = rd32(tag + 12);
            if (end < start)
                return Error{Errc::corrupt, "multiboot2: module ends before it starts"};
            if (out.module_count < BootInfo::MAX_MODULES)
                out.modules[out.module_count++] = BootModule{start, end, s};
            break;
        }
        case TAG_MMAP:
            TRY_VOID(parse_mmap(tag, size, out));
            break;
        case TAG_FRAMEBUFFER:
            TRY_VOID(parse_framebuffer(tag, size, out));
            break;
        case TAG_EFI32:
        case TAG_EFI64:
            out.efi = true;
            break;
        case TAG_ACPI_NEW:
        case TAG_ACPI_OLD:
            // Prefer the ACPI 2.0+ RSDP (tag 15) when the loader gives both.
            if (size > 8 && (type == TAG_ACPI_NEW || !out.rsdp)) {
                out.rsdp = tag + 8;
                out.rsdp_length = size - 8;
            }
            break;
        default:
            break; // tags we do not use
        }
        off += (size + 7) & ~7u;
    }
    if (out.mmap_count == 0)
        return Error{Errc::not_found, "multiboot2: no memory map tag (type 6); cannot find RAM"};
    return {};
}

} // namespace kern
