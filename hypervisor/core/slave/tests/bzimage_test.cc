// Lab 7: the bzImage loader. Images are built here byte by byte in the layout of
// Documentation/x86/boot.rst (the values are those of the kit's own slave kernel: protocol 2.15,
// 27 setup sectors, pref_address 16 MiB), then broken one field at a time.
#include "hypervisor/core/slave/bzimage.h"

#include "tests/host/require_ok.h"
#include <catch2/catch.hpp>

#include <vector>

using namespace hv;
using namespace hv::linux_boot;

namespace {

std::vector<uint8_t> make_image(size_t kernel_bytes = 64 * 1024) {
    const size_t sects = 27;
    std::vector<uint8_t> f((sects + 1) * 512 + kernel_bytes, 0);
    f[HDR_SETUP_SECTS] = uint8_t(sects);
    put_le(&f[HDR_BOOT_FLAG], 2, BOOT_FLAG);
    f[HDR_JUMP] = 0xEB;
    f[HDR_JUMP + 1] = 0x6A; // header ends at 0x26C (2.15)
    put_le(&f[HDR_MAGIC], 4, HDRS_MAGIC);
    put_le(&f[HDR_VERSION], 2, 0x020F);
    f[HDR_LOADFLAGS] = LOADED_HIGH;
    put_le(&f[HDR_INITRD_ADDR_MAX], 4, 0x7FFFFFFF);
    put_le(&f[HDR_KERNEL_ALIGNMENT], 4, 0x200000);
    f[HDR_RELOCATABLE] = 0;
    put_le(&f[HDR_XLOADFLAGS], 2, XLF_KERNEL_64);
    put_le(&f[HDR_CMDLINE_SIZE], 4, 2047);
    f[HDR_CMDLINE_SIZE + 4] = 1; // hardware_subarch, not 0: cmdline_size read too long shows
    put_le(&f[HDR_PREF_ADDRESS], 8, 0x1000000);
    put_le(&f[HDR_INIT_SIZE], 4, 0xDD2345); // no byte 0: a field read too long shows
    put_le(&f[HDR_SYSSIZE], 4, kernel_bytes / 16);
    for (size_t i = (sects + 1) * 512; i < f.size(); ++i)
        f[i] = uint8_t(i * 7); // the "kernel"
    return f;
}

kern::Result<BzImage> parse(const std::vector<uint8_t>& f) {
    return parse_bzimage(f.data(), f.size());
}

std::string refusal(const std::vector<uint8_t>& f) {
    auto r = parse(f);
    REQUIRE_FALSE(r.ok());
    return r.error().what;
}

} // namespace

TEST_CASE("a 64-bit bzImage is parsed: kernel offset, sizes, addresses") {
    auto f = make_image();
    auto r = parse(f);
    REQUIRE_OK(r);
    const BzImage& b = r.value();
    CHECK(b.protocol == 0x020F);
    CHECK(b.setup_bytes == 28 * 512);
    CHECK(b.kernel == f.data() + 28 * 512);
    CHECK(b.kernel_size == 64 * 1024);
    CHECK(b.pref_address == 0x1000000);
    CHECK(b.init_size == 0xDD2345);
    CHECK(b.kernel_alignment == 0x200000);
    CHECK_FALSE(b.relocatable);
    CHECK(b.cmdline_size == 2047);
    CHECK(b.initrd_addr_max == 0x7FFFFFFF);
    CHECK(b.header_end == 0x26C);
    // A relocatable kernel: the flag byte follows kernel_alignment, which must not take it in.
    auto g = f;
    g[HDR_RELOCATABLE] = 1;
    auto rg = parse(g);
    REQUIRE_OK(rg);
    CHECK(rg.value().relocatable);
    CHECK(rg.value().kernel_alignment == 0x200000);
}

TEST_CASE("setup_sects = 0 means 4 (boot.rst)") {
    auto f = make_image();
    f[HDR_SETUP_SECTS] = 0;
    auto r = parse(f);
    REQUIRE_OK(r);
    CHECK(r.value().setup_bytes == 5 * 512);
    CHECK(r.value().kernel_size == f.size() - 5 * 512);
}

TEST_CASE("files that are not bzImages are refused with the reason") {
    CHECK(parse_bzimage(nullptr, 0).ok() == false);
    auto f = make_image();
    CHECK(refusal(std::vector<uint8_t>(f.begin(), f.begin() + 0x200)).find("too short") !=
          std::string::npos);
    auto nf = f;
    nf[HDR_BOOT_FLAG] = 0;
    CHECK(refusal(nf).find("0xAA55") != std::string::npos);
    auto nm = f;
    nm[HDR_MAGIC] = 'X';
    CHECK(refusal(nm).find("HdrS") != std::string::npos);
    std::vector<uint8_t> elf(4096, 0);
    elf[0] = 0x7F, elf[1] = 'E', elf[2] = 'L', elf[3] = 'F';
    CHECK(parse(elf).ok() == false);
}

TEST_CASE("old protocols and kernels without a 64-bit entry are refused") {
    auto f = make_image();
    put_le(&f[HDR_VERSION], 2, 0x020B);
    CHECK(refusal(f).find("2.12") != std::string::npos);
    put_le(&f[HDR_VERSION], 2, 0x020C);
    CHECK(parse(f).ok());
    put_le(&f[HDR_XLOADFLAGS], 2, 0);
    CHECK(refusal(f).find("64-bit") != std::string::npos);
}

TEST_CASE("truncated and inconsistent images are refused") {
    auto f = make_image();
    std::vector<uint8_t> cut(f.begin(), f.begin() + 28 * 512); // setup only, no kernel
    CHECK(refusal(cut).find("truncated") != std::string::npos);
    std::vector<uint8_t> half(f.begin(), f.end() - 16); // one paragraph short of syssize
    CHECK(refusal(half).find("truncated") != std::string::npos);
    auto big = f;
    big[HDR_JUMP + 1] = 0xA0; // header would end at 0x2A2, into the e820 area
    CHECK(refusal(big).find("header") != std::string::npos);
    auto short_header = f;
    short_header[HDR_JUMP + 1] = 0x62; // ends at 0x264, right after init_size (protocol 2.10): fine
    CHECK(parse(short_header).ok());
    short_header[HDR_JUMP + 1] = 0x61; // ends inside init_size
    CHECK(refusal(short_header).find("header") != std::string::npos);
    auto small = f;
    put_le(&small[HDR_INIT_SIZE], 4, 4096);
    CHECK(refusal(small).find("init_size") != std::string::npos);
}

TEST_CASE("the zero page: setup header copied, loader fields and e820 filled, the rest zero") {
    auto f = make_image();
    // pref_address follows setup_data, which the loader writes: a low byte that is not 0 shows
    // a setup_data written too long.
    put_le(&f[HDR_PREF_ADDRESS], 8, 0x1000042);
    auto b = parse(f);
    REQUIRE_OK(b);
    std::vector<uint8_t> zp(ZERO_PAGE_SIZE, 0xCC);
    E820Entry map[3] = {{0, 0x9F000, E820Type::ram},
                        {0x100000, 0x3F00000, E820Type::ram},
                        {0x4000000, 0x200000, E820Type::reserved}};
    BootParamsSpec s;
    s.cmdline_gpa = 0x7000;
    s.initrd_gpa = 0x123456000ull; // above 4 GiB: high bits go to the ext_ fields
    s.initrd_size = 0x1F0000;
    s.setup_data_gpa = 0x6000;
    s.e820 = map;
    s.e820_count = 3;
    REQUIRE_OK(write_boot_params(zp.data(), b.value(), f.data(), s));
    for (size_t i = 0; i < HDR_START; ++i)
        if (i != ZP_EXT_RAMDISK_IMAGE && i != ZP_EXT_RAMDISK_IMAGE + 1 && i != ZP_E820_ENTRIES)
            REQUIRE(zp[i] == 0);
    CHECK(get_le(&zp[HDR_MAGIC], 4) == HDRS_MAGIC);
    CHECK(get_le(&zp[HDR_VERSION], 2) == 0x020F);
    CHECK(get_le(&zp[HDR_PREF_ADDRESS], 8) == 0x1000042);
    CHECK(get_le(&zp[HDR_INIT_SIZE], 4) == 0xDD2345);
    CHECK(zp[HDR_SETUP_SECTS] == 27);
    CHECK(zp[HDR_TYPE_OF_LOADER] == 0xFF);
    CHECK(get_le(&zp[HDR_CMD_LINE_PTR], 4) == 0x7000);
    CHECK(get_le(&zp[ZP_EXT_CMD_LINE_PTR], 4) == 0);
    CHECK(get_le(&zp[HDR_RAMDISK_IMAGE], 4) == 0x23456000);
    CHECK(get_le(&zp[ZP_EXT_RAMDISK_IMAGE], 4) == 0x1);
    CHECK(get_le(&zp[HDR_RAMDISK_SIZE], 4) == 0x1F0000);
    CHECK(get_le(&zp[HDR_SETUP_DATA], 8) == 0x6000);
    CHECK(zp[ZP_E820_ENTRIES] == 3);
    const uint8_t* e2 = &zp[ZP_E820_TABLE + 2 * E820_ENTRY_SIZE];
    CHECK(get_le(e2, 8) == 0x4000000);
    CHECK(get_le(e2 + 8, 8) == 0x200000);
    CHECK(get_le(e2 + 16, 4) == 2);
    CHECK(get_le(&zp[ZP_E820_TABLE + 8], 8) == 0x9F000);
    for (size_t i = b.value().header_end; i < ZP_E820_TABLE; ++i)
        REQUIRE(zp[i] == 0);
    for (size_t i = ZP_E820_TABLE + 3 * E820_ENTRY_SIZE; i < ZERO_PAGE_SIZE; ++i)
        REQUIRE(zp[i] == 0);
    // An initrd of 4 GiB or more: its size's high half goes to ext_ramdisk_size.
    s.initrd_size = 0x100001000ull;
    REQUIRE_OK(write_boot_params(zp.data(), b.value(), f.data(), s));
    CHECK(get_le(&zp[HDR_RAMDISK_SIZE], 4) == 0x1000);
    CHECK(get_le(&zp[ZP_EXT_RAMDISK_SIZE], 4) == 0x1);
    CHECK(zp[HDR_RAMDISK_SIZE + 4] == f[HDR_RAMDISK_SIZE + 4]); // the next field is the kernel's
}

TEST_CASE("more e820 entries than the zero page holds are refused") {
    auto f = make_image();
    auto b = parse(f);
    REQUIRE_OK(b);
    std::vector<E820Entry> many(129, E820Entry{0, 4096, E820Type::ram});
    std::vector<uint8_t> zp(ZERO_PAGE_SIZE);
    BootParamsSpec s;
    s.e820 = many.data();
    s.e820_count = many.size();
    CHECK_FALSE(write_boot_params(zp.data(), b.value(), f.data(), s).ok());
    s.e820_count = 128;
    CHECK(write_boot_params(zp.data(), b.value(), f.data(), s).ok());
}
