// The ELF loader refuses malformed and unsupported files, each with its code and reason.
#include "core/elf/tests/elf_test_util.h"

TEST_CASE("malformed or unsupported files are refused with a reason") {
    Synth s;
    SECTION("null pointer") {
        CHECK_REFUSED(elf_parse(nullptr, 100, ELF_DEFAULT_LIMITS), Errc::invalid_argument, "null");
    }
    SECTION("bad limits") {
        CHECK_REFUSED(parse(s.bytes(), {0x400000, 0x400000, 1 << 20}), Errc::invalid_argument,
                      "limits");
        CHECK_REFUSED(parse(s.bytes(), {0x400001, 0x800000, 1 << 20}), Errc::invalid_argument,
                      "limits");
    }
    SECTION("truncated header") {
        auto b = s.bytes();
        CHECK_REFUSED(elf_parse(b.data(), 63, ELF_DEFAULT_LIMITS), Errc::corrupt,
                      "shorter than the ELF header");
    }
    SECTION("bad magic") {
        s.h.e_ident[1] = 'X';
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "magic");
    }
    SECTION("32-bit") {
        s.h.e_ident[EI_CLASS] = ELFCLASS32;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "64-bit");
    }
    SECTION("big endian") {
        s.h.e_ident[EI_DATA] = ELFDATA2MSB;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "little endian");
    }
    SECTION("version") {
        s.h.e_version = 0;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "version");
    }
    SECTION("wrong machine") {
        s.h.e_machine = 3;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "x86-64");
    }
    SECTION("ET_DYN") {
        s.h.e_type = ET_DYN;
        CHECK_REFUSED(
            parse(s.bytes()), Errc::unsupported,
            "position-independent executables are not supported: link with -static -no-pie");
    }
    SECTION("ET_REL") {
        s.h.e_type = ET_REL;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "ET_EXEC");
    }
    SECTION("e_ehsize") {
        s.h.e_ehsize = 52;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "e_ehsize");
    }
    SECTION("no program headers") {
        s.ph.clear();
        s.h.e_phoff = 0;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "no program headers");
    }
    SECTION("PN_XNUM") {
        s.h.e_phnum = PN_XNUM;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "PN_XNUM");
    }
    SECTION("small e_phentsize") {
        s.h.e_phentsize = 32;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "e_phentsize");
    }
    SECTION("program headers out of bounds") {
        s.h.e_phoff = s.size - 100;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "past the end of the file");
    }
    SECTION("huge phnum * phentsize") {
        s.h.e_phnum = 0xfffe;
        s.h.e_phentsize = 0xffff;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "program header table lies past the end");
    }
    SECTION("e_phoff + table size overflows") {
        s.h.e_phoff = ~uint64_t{0} - 100;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "size overflows");
    }
    SECTION("no PT_LOAD") {
        s.ph[0].p_type = s.ph[1].p_type = PT_NOTE;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "no loadable");
    }
    SECTION("filesz > memsz") {
        s.ph[1].p_filesz = 0x3000;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "p_filesz is larger than p_memsz");
    }
    SECTION("offset + filesz past EOF") {
        s.ph[1].p_filesz = 0x2001;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "past the end of the file");
    }
    SECTION("offset + filesz overflows") {
        s.ph[1].p_offset = ~uint64_t{0} - 0xfff; // congruent to the vaddr modulo the page
        s.ph[1].p_filesz = 0x2000;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "past the end of the file");
    }
    SECTION("vaddr + memsz overflows") {
        s.ph[1].p_vaddr = 0xfffffffffffff000;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "overflows");
    }
    SECTION("segment below the user range") {
        s.ph[1].p_vaddr = 0x1000;
        CHECK_REFUSED(parse(s.bytes()), Errc::invalid_argument, "outside the user address range");
    }
    SECTION("segment above the user range") {
        s.ph[1].p_vaddr = 0x7ffffffff000;
        CHECK_REFUSED(parse(s.bytes()), Errc::invalid_argument, "outside the user address range");
    }
    SECTION("vaddr and offset not congruent") {
        s.ph[1].p_offset = 0x1010;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "modulo the page size");
    }
    SECTION("overlapping segments") {
        s.ph[1].p_vaddr = 0x400000;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "overlap");
    }
    SECTION("segments sharing a page") {
        s.ph[1].p_vaddr = 0x400800;
        s.ph[1].p_offset = 0x1800;
        s.ph[1].p_filesz = 0x10;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "overlap");
    }
    SECTION("writable and executable") {
        s.ph[0].p_flags = PF_R | PF_W | PF_X;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "segment both writable and executable");
    }
    SECTION("entry in a data segment") {
        s.h.e_entry = 0x401010;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "entry point");
    }
    SECTION("entry outside every segment") {
        s.h.e_entry = 0x900000;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "entry point");
    }
    SECTION("entry past the text's file bytes") {
        s.ph[0].p_memsz = 0x1000;
        s.h.e_entry = 0x400900;
        CHECK_REFUSED(parse(s.bytes()), Errc::corrupt, "entry point");
    }
    SECTION("PT_INTERP") {
        s.ph[2].p_type = PT_INTERP;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "dynamically linked");
    }
    SECTION("PT_DYNAMIC") {
        s.ph[2].p_type = PT_DYNAMIC;
        CHECK_REFUSED(parse(s.bytes()), Errc::unsupported, "dynamically linked");
    }
    SECTION("too many segments") {
        s.ph.clear();
        s.h.e_entry = 0x400008;
        for (uint64_t i = 0; i < 17; ++i)
            s.ph.push_back({PT_LOAD, PF_R | PF_X, 0, 0x400000 + i * 0x1000, 0, 0x10, 0x10, 0x1000});
        CHECK_REFUSED(parse(s.bytes()), Errc::invalid_argument, "too many loadable segments");
        s.ph.pop_back();
        s.h.e_phnum = 16;
        CHECK(parse(s.bytes()).ok()); // 16 is the limit, not 15
    }
    SECTION("more memory than max_bytes") {
        CHECK_REFUSED(parse(s.bytes(), {0x400000, 0x800000000000, 0x3000}), Errc::invalid_argument,
                      "more memory than allowed");
        CHECK(parse(s.bytes(), {0x400000, 0x800000000000, 0x4000}).ok());
    }
}
