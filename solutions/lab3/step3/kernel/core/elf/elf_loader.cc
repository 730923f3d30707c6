// Lab 3, step 3: the ELF loader (contracts in core/elf/elf_loader.h).
#include "core/elf/elf_loader.h"

#include "core/mem/page.h"
#include "lib/string.h"

namespace kern {

namespace {

// Checked arithmetic: every sum or product of file fields goes through these, so a hostile
// offset near 2^64 cannot wrap around into a small, plausible-looking value.
bool add_ok(uint64_t a, uint64_t b, uint64_t& out) {
    return !__builtin_add_overflow(a, b, &out);
}
bool mul_ok(uint64_t a, uint64_t b, uint64_t& out) {
    return !__builtin_mul_overflow(a, b, &out);
}

Error corrupt(const char* what) {
    return Error{Errc::corrupt, what};
}
Error unsupported(const char* what) {
    return Error{Errc::unsupported, what};
}

// The identification and the fixed header fields: is this a file we can run at all?
// gABI "ELF Identification" and "ELF Header"; psABI 4.1 for class, encoding and machine.
Result<void> check_header(const Elf64_Ehdr& h) {
    if (memcmp(h.e_ident, ELFMAG, sizeof ELFMAG) != 0)
        return corrupt("elf: bad magic: not an ELF file");
    if (h.e_ident[EI_CLASS] != ELFCLASS64)
        return unsupported("elf: not a 64-bit (ELFCLASS64) file");
    if (h.e_ident[EI_DATA] != ELFDATA2LSB)
        return unsupported("elf: not little endian (ELFDATA2LSB)");
    if (h.e_ident[EI_VERSION] != EV_CURRENT || h.e_version != EV_CURRENT)
        return unsupported("elf: unknown ELF version (EV_CURRENT expected)");
    if (h.e_machine != EM_X86_64) return unsupported("elf: not an x86-64 (EM_X86_64) executable");
    if (h.e_type == ET_DYN)
        return unsupported(
            "elf: position-independent executables are not supported: link with -static -no-pie");
    if (h.e_type != ET_EXEC)
        return unsupported("elf: not an executable (ET_EXEC): object file or core dump?");
    if (h.e_ehsize != sizeof(Elf64_Ehdr))
        return corrupt("elf: e_ehsize is not the size of an ELF64 header");
    if (h.e_phnum == PN_XNUM)
        return unsupported("elf: extended program header numbering (PN_XNUM)");
    if (h.e_phnum == 0) return corrupt("elf: no program headers");
    if (h.e_phentsize < sizeof(Elf64_Phdr))
        return corrupt("elf: e_phentsize is smaller than an ELF64 program header");
    return {};
}

// One PT_LOAD on its own: inside the file, inside the user range, loadable by pages.
Result<void> check_load(const Elf64_Phdr& ph, size_t size, const ElfLimits& limits) {
    if (ph.p_filesz > ph.p_memsz) return corrupt("elf: segment p_filesz is larger than p_memsz");
    uint64_t file_end, mem_end;
    if (!add_ok(ph.p_offset, ph.p_filesz, file_end) || file_end > size)
        return corrupt("elf: segment's file bytes lie past the end of the file");
    if (!add_ok(ph.p_vaddr, ph.p_memsz, mem_end))
        return corrupt("elf: segment p_vaddr + p_memsz overflows");
    if (ph.p_vaddr < limits.user_base || mem_end > limits.user_end)
        return Error{Errc::invalid_argument, "elf: segment outside the user address range"};
    // gABI "Program Header": p_vaddr == p_offset modulo p_align. We need it modulo the page
    // size, whatever p_align says, because a page is the unit we map.
    if (ph.p_vaddr % PAGE_SIZE != ph.p_offset % PAGE_SIZE)
        return corrupt("elf: segment p_vaddr and p_offset differ modulo the page size");
    if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
        return unsupported("elf: segment both writable and executable");
    return {};
}

uint64_t first_page(const ElfSegment& s) {
    return page_round_down(s.vaddr);
}
uint64_t end_page(const ElfSegment& s) {
    return page_round_up(s.vaddr + s.memsz); // <= user_end, which is page aligned: no wrap
}

// Two segments sharing a page would need one page with two sets of permissions, and the
// second map_zeroed() would clobber the first one's bytes.
bool overlap(const ElfSegment& a, const ElfSegment& b) {
    return first_page(a) < end_page(b) && first_page(b) < end_page(a);
}

} // namespace

Result<ElfImage> elf_parse(const uint8_t* data, size_t size, const ElfLimits& limits) {
    if (data == nullptr) return Error{Errc::invalid_argument, "elf: no file (null pointer)"};
    if (!page_aligned(limits.user_base) || !page_aligned(limits.user_end) ||
        limits.user_base >= limits.user_end)
        return Error{Errc::invalid_argument, "elf: limits: user range empty or not page aligned"};
    if (size < sizeof(Elf64_Ehdr)) return corrupt("elf: file shorter than the ELF header");

    Elf64_Ehdr h;
    memcpy(&h, data, sizeof h);
    TRY_VOID(check_header(h));

    uint64_t table_bytes, table_end;
    if (!mul_ok(h.e_phnum, h.e_phentsize, table_bytes) ||
        !add_ok(h.e_phoff, table_bytes, table_end))
        return corrupt("elf: program header table size overflows");
    if (table_end > size) return corrupt("elf: program header table lies past the end of the file");

    ElfImage image;
    uint64_t total = 0;
    for (uint16_t i = 0; i < h.e_phnum; ++i) {
        Elf64_Phdr ph;
        memcpy(&ph, data + h.e_phoff + uint64_t{i} * h.e_phentsize, sizeof ph);
        if (ph.p_type == PT_INTERP)
            return unsupported("elf: dynamically linked (PT_INTERP): link with -static");
        if (ph.p_type == PT_DYNAMIC)
            return unsupported("elf: dynamically linked (PT_DYNAMIC): link with -static");
        // PT_GNU_STACK is ignored: user stacks are never executable, whatever it asks.
        if (ph.p_type != PT_LOAD) continue;
        TRY_VOID(check_load(ph, size, limits));
        if (ph.p_memsz == 0) continue; // gABI allows an empty PT_LOAD; there is nothing to map
        if (image.segment_count == ElfImage::MAX_SEGMENTS)
            return Error{Errc::invalid_argument, "elf: too many loadable segments (more than 16)"};
        ElfSegment s{ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, ph.p_flags};
        for (size_t j = 0; j < image.segment_count; ++j)
            if (overlap(s, image.segments[j]))
                return corrupt("elf: loadable segments overlap (after rounding to pages)");
        if (!add_ok(total, end_page(s) - first_page(s), total) || total > limits.max_bytes)
            return Error{Errc::invalid_argument, "elf: segments need more memory than allowed"};
        if (end_page(s) > image.top) image.top = end_page(s);
        image.segments[image.segment_count++] = s;
    }
    if (image.segment_count == 0) return corrupt("elf: no loadable (PT_LOAD) segment");

    // The entry must be file-backed code: an entry in the bss would run zeros.
    bool entry_ok = false;
    for (size_t j = 0; j < image.segment_count; ++j) {
        const ElfSegment& s = image.segments[j];
        if (s.executable() && h.e_entry >= s.vaddr && h.e_entry - s.vaddr < s.filesz)
            entry_ok = true;
        // AT_PHDR for the C library: the table's address if some segment maps it.
        if (h.e_phoff >= s.offset && table_end <= s.offset + s.filesz)
            image.phdr_vaddr = s.vaddr + (h.e_phoff - s.offset);
    }
    if (!entry_ok) return corrupt("elf: entry point is not inside an executable segment");
    image.entry = h.e_entry;
    image.phnum = h.e_phnum;
    image.phentsize = h.e_phentsize;
    return image;
}

Result<void> elf_load(const ElfImage& image, const uint8_t* data, SegmentSink& sink) {
    if (data == nullptr || image.segment_count > ElfImage::MAX_SEGMENTS)
        return Error{Errc::invalid_argument, "elf: load: not an image from elf_parse()"};
    for (size_t j = 0; j < image.segment_count; ++j) {
        const ElfSegment& s = image.segments[j];
        uint64_t base = first_page(s);
        TRY_VOID(sink.map_zeroed(base, end_page(s) - base, s.writable(), s.executable()));
        if (s.filesz != 0) TRY_VOID(sink.copy_to(s.vaddr, data + s.offset, s.filesz));
    }
    return {};
}

} // namespace kern
