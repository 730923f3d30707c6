// ELF64 file and program headers, as the loader reads them.
//
// Sources: the System V gABI, "ELF-64 Object File Format" (version 1.5) and the gABI chapters
// "ELF Header" and "Program Header" (4.1, 5.1 of the 2013 draft); the x86-64 psABI
// (System V ABI AMD64 Architecture Processor Supplement) 4.1 for the machine and data encoding.
// Only what a static-executable loader needs is here: no section headers, no dynamic tags.
//
// The structs describe the on-disk layout; a module in memory may be unaligned, so the loader
// copies them out with memcpy and never dereferences a cast pointer into the file.
#pragma once

#include <stdint.h>

namespace kern {

/// @name e_ident indices and values (gABI "ELF Identification")
/// @{
inline constexpr int EI_MAG0 = 0;    ///< first magic byte, ELFMAG0
inline constexpr int EI_CLASS = 4;   ///< file class: 32- or 64-bit
inline constexpr int EI_DATA = 5;    ///< data encoding: byte order
inline constexpr int EI_VERSION = 6; ///< ELF header version, must be EV_CURRENT
inline constexpr int EI_OSABI = 7;   ///< OS/ABI identification (not checked)
inline constexpr int EI_NIDENT = 16; ///< size of e_ident
inline constexpr uint8_t ELFMAG[4] = {0x7f, 'E', 'L', 'F'}; ///< the four magic bytes
inline constexpr uint8_t ELFCLASS32 = 1;                    ///< 32-bit objects
inline constexpr uint8_t ELFCLASS64 = 2;                    ///< 64-bit objects
inline constexpr uint8_t ELFDATA2LSB = 1; ///< two's complement, little endian (psABI 4.1)
inline constexpr uint8_t ELFDATA2MSB = 2; ///< two's complement, big endian
inline constexpr uint8_t EV_CURRENT = 1;  ///< the only ELF version
/// @}

/// @name e_type values (gABI "ELF Header")
/// @{
inline constexpr uint16_t ET_NONE = 0; ///< no file type
inline constexpr uint16_t ET_REL = 1;  ///< relocatable object (.o)
inline constexpr uint16_t ET_EXEC = 2; ///< executable at fixed addresses: what we load
inline constexpr uint16_t ET_DYN = 3;  ///< shared object or position-independent executable
inline constexpr uint16_t ET_CORE = 4; ///< core dump
/// @}

/// e_machine for AMD x86-64 (psABI 4.1.1).
inline constexpr uint16_t EM_X86_64 = 62;
/// e_phnum value meaning "the real count is in section header 0" (gABI "Extended Numbering").
inline constexpr uint16_t PN_XNUM = 0xffff;

/// @name p_type values (gABI "Program Header"; PT_GNU_* are GNU extensions)
/// @{
inline constexpr uint32_t PT_NULL = 0;                  ///< unused entry
inline constexpr uint32_t PT_LOAD = 1;                  ///< loadable segment
inline constexpr uint32_t PT_DYNAMIC = 2;               ///< dynamic linking information
inline constexpr uint32_t PT_INTERP = 3;                ///< path of the program interpreter
inline constexpr uint32_t PT_NOTE = 4;                  ///< auxiliary information
inline constexpr uint32_t PT_SHLIB = 5;                 ///< reserved
inline constexpr uint32_t PT_PHDR = 6;                  ///< the program header table itself
inline constexpr uint32_t PT_TLS = 7;                   ///< thread-local storage template
inline constexpr uint32_t PT_GNU_EH_FRAME = 0x6474e550; ///< .eh_frame_hdr
inline constexpr uint32_t PT_GNU_STACK = 0x6474e551;    ///< stack permissions (flags only)
inline constexpr uint32_t PT_GNU_RELRO = 0x6474e552;    ///< read-only after relocation
/// @}

/// @name p_flags bits (gABI "Segment Permissions")
/// @{
inline constexpr uint32_t PF_X = 1; ///< executable
inline constexpr uint32_t PF_W = 2; ///< writable
inline constexpr uint32_t PF_R = 4; ///< readable
/// @}

/// The ELF64 file header (gABI "ELF Header"; ELF-64 Object File Format, figure 2).
struct Elf64_Ehdr {
    uint8_t e_ident[EI_NIDENT]; ///< magic, class, data encoding, version, OS/ABI
    uint16_t e_type;            ///< object file type, ET_*
    uint16_t e_machine;         ///< target architecture, EM_*
    uint32_t e_version;         ///< object file version, EV_CURRENT
    uint64_t e_entry;           ///< virtual address of the entry point
    uint64_t e_phoff;           ///< file offset of the program header table
    uint64_t e_shoff;           ///< file offset of the section header table
    uint32_t e_flags;           ///< processor-specific flags (none on x86-64)
    uint16_t e_ehsize;          ///< size of this header
    uint16_t e_phentsize;       ///< size of one program header entry
    uint16_t e_phnum;           ///< number of program header entries
    uint16_t e_shentsize;       ///< size of one section header entry
    uint16_t e_shnum;           ///< number of section header entries
    uint16_t e_shstrndx;        ///< section index of the section name string table
};
static_assert(sizeof(Elf64_Ehdr) == 64, "gABI: the ELF64 header is 64 bytes");

/// One ELF64 program header (gABI "Program Header"; ELF-64 Object File Format, figure 6).
struct Elf64_Phdr {
    uint32_t p_type;   ///< segment type, PT_*
    uint32_t p_flags;  ///< segment permissions, PF_*
    uint64_t p_offset; ///< file offset of the segment's first byte
    uint64_t p_vaddr;  ///< virtual address of the segment's first byte
    uint64_t p_paddr;  ///< physical address (ignored for user programs)
    uint64_t p_filesz; ///< bytes of the segment present in the file
    uint64_t p_memsz;  ///< bytes of the segment in memory; the rest past p_filesz is zero
    uint64_t p_align;  ///< alignment; p_vaddr == p_offset modulo p_align
};
static_assert(sizeof(Elf64_Phdr) == 56, "gABI: an ELF64 program header is 56 bytes");

} // namespace kern
