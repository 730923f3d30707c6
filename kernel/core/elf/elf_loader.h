// A validating loader for static ELF64 x86-64 executables (the master applications).
//
// Two steps, seL4 style: elf_parse() checks everything and decodes the file into an ElfImage
// without touching memory; elf_load() then maps and fills the segments through a SegmentSink,
// so the same code runs in the kernel (sink = a user page table) and in host tests (sink = a
// fake memory). A malformed or unsupported file is refused with a static message naming the
// problem; the loader never trusts a field of the file before checking it.
//
// Error codes: Errc::corrupt for a file that breaks the ELF rules (truncated, out-of-bounds or
// overflowing fields, overlapping segments, ...); Errc::unsupported for a valid file we do not
// run (32-bit, big endian, another machine, PIE, dynamically linked, W+X segments);
// Errc::invalid_argument for a file that does not fit the caller's ElfLimits.
#pragma once

#include "core/elf/elf64.h"
#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Where and how much a user program may occupy, chosen by the caller.
struct ElfLimits {
    uint64_t user_base; ///< lowest address a segment may use; page aligned
    uint64_t user_end;  ///< one past the highest address; page aligned, above user_base
    uint64_t max_bytes; ///< bound on the sum of the page-rounded segment sizes
};

/// Typical limits: from the classic 0x400000 link address to the top of the canonical lower
/// half, at most 256 MiB of segments.
inline constexpr ElfLimits ELF_DEFAULT_LIMITS{0x400000, 0x800000000000, 256ull << 20};

/// One loadable segment, validated: inside the limits, inside the file, not overlapping.
struct ElfSegment {
    uint64_t vaddr;  ///< virtual address of the first byte (not necessarily page aligned)
    uint64_t memsz;  ///< bytes in memory; at least 1
    uint64_t offset; ///< file offset of the first byte; congruent to vaddr modulo PAGE_SIZE
    uint64_t filesz; ///< bytes copied from the file; at most memsz, the rest is zero (bss)
    uint32_t flags;  ///< PF_R, PF_W, PF_X bits as in the file

    /// Whether the segment's pages are mapped writable.
    constexpr bool writable() const { return (flags & PF_W) != 0; }
    /// Whether the segment's pages are mapped executable.
    constexpr bool executable() const { return (flags & PF_X) != 0; }
};

/// A decoded executable: what elf_load() needs, plus facts for the initial process state.
struct ElfImage {
    /// The most PT_LOAD segments accepted (real static binaries have 2 to 5).
    static constexpr size_t MAX_SEGMENTS = 16;

    uint64_t entry = 0;                  ///< entry point; inside an executable segment
    size_t segment_count = 0;            ///< valid entries in segments
    ElfSegment segments[MAX_SEGMENTS]{}; ///< in program header order
    uint64_t top = 0;        ///< page-rounded end of the highest segment: the initial brk
    uint64_t phdr_vaddr = 0; ///< where the program headers are mapped (AT_PHDR), or 0
    uint16_t phnum = 0;      ///< number of program headers (AT_PHNUM)
    uint16_t phentsize = 0;  ///< size of one program header (AT_PHENT)
};

/// Decodes and validates the static ELF64 x86-64 executable in [@p data, @p data + @p size).
/// Reads nothing outside that range and writes nothing; @p data need not be aligned.
/// @param data the file's bytes (e.g. a multiboot2 module)
/// @param size the file's length in bytes
/// @param limits the address range and size the program must fit in
/// @return the image, or an Error whose message says what is wrong with the file
Result<ElfImage> elf_parse(const uint8_t* data, size_t size, const ElfLimits& limits);

/// The memory a program is loaded into: a user address space in the kernel, a fake in tests.
struct SegmentSink {
    /// Maps [@p va, @p va + @p bytes) to fresh zeroed memory; both page aligned, never
    /// overlapping an earlier call of the same load.
    /// @param va first address, page aligned
    /// @param bytes length, a positive multiple of PAGE_SIZE
    /// @param writable whether the user may write the pages
    /// @param executable whether the user may execute the pages
    virtual Result<void> map_zeroed(uint64_t va, uint64_t bytes, bool writable,
                                    bool executable) = 0;
    /// Copies @p n bytes from @p src to [@p va, @p va + @p n), a range already mapped by
    /// map_zeroed(); must work whatever the user permissions of the pages are.
    /// @param va destination user address
    /// @param src source bytes inside the file
    /// @param n number of bytes, at least 1
    virtual Result<void> copy_to(uint64_t va, const uint8_t* src, uint64_t n) = 0;

  protected:
    ~SegmentSink() = default;
};

/// Loads @p image: for each segment, maps its page-rounded range zeroed, then copies its
/// file bytes; the bss past filesz stays zero. Stops at the first error of @p sink and
/// returns it; mappings made so far are the caller's to undo.
/// @param image the result of elf_parse() on @p data
/// @param data the same bytes that were given to elf_parse()
/// @param sink where the segments go
Result<void> elf_load(const ElfImage& image, const uint8_t* data, SegmentSink& sink);

} // namespace kern
