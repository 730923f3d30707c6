// Host tests for FramebufferConsole (lab 0, step 4): pixel formats, glyph rendering, scrolling,
// validation.
#include "core/console/fb_console.h"
#include "core/console/font.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace kern;

namespace {

static_assert(ConsoleSink<FramebufferConsole>);

constexpr uint8_t FILL = 0xCD; // untouched memory
constexpr Rgb WHITE{0xFF, 0xFF, 0xFF};
constexpr Rgb NAVY{0x00, 0x00, 0x80};

// Framebuffer memory plus 64 trailing guard bytes, and its description. The default
// pitch has 16 bytes of padding per line that the console must never write.
struct Fb {
    std::vector<uint8_t> mem;
    FramebufferInfo info;

    Fb(uint32_t width, uint32_t height, uint8_t bpp, uint32_t padding = 16) {
        info = {nullptr, width, height, width * (bpp / 8u) + padding, bpp, 16, 8, 8, 8, 0, 8};
        if (bpp == 16) info = {nullptr, width, height, info.pitch, bpp, 11, 5, 5, 6, 0, 5};
        mem.assign(static_cast<size_t>(info.pitch) * height + 64, FILL);
        info.base = mem.data();
    }
    uint32_t bytes() const { return info.bpp / 8u; }
    uint32_t pixel(uint32_t x, uint32_t y) const {
        const uint8_t* p = &mem[static_cast<size_t>(y) * info.pitch + x * bytes()];
        uint32_t v = 0;
        for (uint32_t i = 0; i < bytes(); i++)
            v |= static_cast<uint32_t>(p[i]) << (8 * i);
        return v;
    }
    // Does text cell (col, row) show glyph c, pixel for pixel, in fg on bg?
    bool cell_is(uint32_t col, uint32_t row, unsigned char c, Rgb fg, Rgb bg) const {
        const uint8_t* g = font::glyph(c);
        for (int y = 0; y < font::HEIGHT; y++)
            for (int x = 0; x < font::WIDTH; x++) {
                Rgb want = g[y] & (0x80 >> x) ? fg : bg;
                if (pixel(col * 8 + x, row * 16 + y) != pack_pixel(info, want)) return false;
            }
        return true;
    }
    bool padding_and_guard_untouched() const {
        const uint32_t used = info.width * bytes();
        for (uint32_t y = 0; y < info.height; y++)
            for (uint32_t i = used; i < info.pitch; i++)
                if (mem[static_cast<size_t>(y) * info.pitch + i] != FILL) return false;
        for (size_t i = static_cast<size_t>(info.pitch) * info.height; i < mem.size(); i++)
            if (mem[i] != FILL) return false;
        return true;
    }
};

} // namespace

TEST_CASE("fb: pixel packing follows the colour fields") {
    Fb x8r8g8b8(8, 16, 32);
    CHECK(pack_pixel(x8r8g8b8.info, {0x12, 0x34, 0x56}) == 0x00123456);
    Fb r5g6b5(8, 16, 16);
    CHECK(pack_pixel(r5g6b5.info, {0xFF, 0, 0}) == 0xF800);
    CHECK(pack_pixel(r5g6b5.info, {0, 0xFF, 0}) == 0x07E0);
    CHECK(pack_pixel(r5g6b5.info, {0, 0, 0xFF}) == 0x001F);
    CHECK(pack_pixel(r5g6b5.info, {0x80, 0x80, 0x80}) == 0x8410);
    FramebufferInfo bgr = x8r8g8b8.info;
    bgr.red_pos = 0;
    bgr.blue_pos = 16;
    CHECK(pack_pixel(bgr, {0x12, 0x34, 0x56}) == 0x00563412);
    FramebufferInfo deep = x8r8g8b8.info; // 10:10:10 at 20/10/0
    deep.red_pos = 20, deep.red_size = 10, deep.green_pos = 10, deep.green_size = 10;
    deep.blue_pos = 0, deep.blue_size = 10;
    CHECK(pack_pixel(deep, {0xFF, 0, 0x01}) == (0x3FCu << 20 | 0x004u));
}

TEST_CASE("fb: 'A' at 32 bpp matches the font's bits, and padding is left alone") {
    Fb fb(64, 48, 32);
    FramebufferConsole con(fb.info);
    REQUIRE(con.init().ok());
    CHECK(con.cols() == 8);
    CHECK(con.rows() == 3);
    con.set_colors(WHITE, NAVY);
    con.put_char('A');
    CHECK(fb.pixel(8, 0) == 0); // init cleared to the default (black) background
    CHECK(fb.cell_is(0, 0, 'A', WHITE, NAVY));
    // Spot-check the raw bytes of one lit pixel: little-endian B, G, R, X.
    const uint8_t* g = font::glyph('A');
    int y = 0;
    while (g[y] == 0)
        y++;
    int x = __builtin_clz(static_cast<unsigned>(g[y])) - 24;
    const uint8_t* p = &fb.mem[y * fb.info.pitch + x * 4];
    CHECK((p[0] == 0xFF && p[1] == 0xFF && p[2] == 0xFF && p[3] == 0x00));
    CHECK(con.column() == 1);
    CHECK(fb.padding_and_guard_untouched());
}

TEST_CASE("fb: 16 bpp 5:6:5 and 24 bpp render the same glyph") {
    const Rgb red{0xFF, 0, 0};
    Fb fb16(40, 16, 16);
    FramebufferConsole con16(fb16.info);
    REQUIRE(con16.init().ok());
    con16.set_colors(red, WHITE);
    con16.write("Zq");
    CHECK(fb16.cell_is(0, 0, 'Z', red, WHITE));
    CHECK(fb16.cell_is(1, 0, 'q', red, WHITE));
    CHECK(fb16.padding_and_guard_untouched());

    Fb fb24(40, 16, 24, 4);
    FramebufferConsole con24(fb24.info);
    REQUIRE(con24.init().ok());
    con24.set_colors(red, NAVY);
    con24.write("Zq");
    CHECK(fb24.cell_is(0, 0, 'Z', red, NAVY));
    CHECK(fb24.cell_is(1, 0, 'q', red, NAVY));
    CHECK((fb24.mem[0] == 0x80 && fb24.mem[1] == 0 && fb24.mem[2] == 0)); // navy: B, G, R
    CHECK(fb24.padding_and_guard_untouched());
}

TEST_CASE("fb: scrolling moves text up and clears the last row") {
    Fb fb(32, 50, 32); // 4 x 3 cells, 2 spare pixel lines at the bottom
    FramebufferConsole con(fb.info);
    REQUIRE(con.init().ok());
    const Rgb bg = FramebufferConsole::DEFAULT_BG, fg = FramebufferConsole::DEFAULT_FG;
    con.write("A\nB\nC");
    con.write("\nD");
    CHECK(fb.cell_is(0, 0, 'B', fg, bg));
    CHECK(fb.cell_is(0, 1, 'C', fg, bg));
    CHECK(fb.cell_is(0, 2, 'D', fg, bg));
    CHECK(con.row() == 2);
    con.put_char('\n');
    CHECK(fb.cell_is(0, 1, 'D', fg, bg));
    for (uint32_t col = 0; col < 4; col++)
        CHECK(fb.cell_is(col, 2, ' ', fg, bg));
    for (uint32_t x = 0; x < 32; x++) // the spare lines below the grid stay background
        CHECK(fb.pixel(x, 49) == 0);
    CHECK(fb.padding_and_guard_untouched());
}

TEST_CASE("fb: wrap at the right edge, tab stops, backspace overwrites the whole cell") {
    Fb fb(128 + 5, 32, 32); // 16 columns, 5 spare pixels on the right
    FramebufferConsole con(fb.info);
    REQUIRE(con.init().ok());
    const Rgb bg = FramebufferConsole::DEFAULT_BG, fg = FramebufferConsole::DEFAULT_FG;
    CHECK(con.cols() == 16);
    con.write("\tT");
    CHECK(fb.cell_is(8, 0, 'T', fg, bg));
    con.write("abcdefg"); // fills columns 9..15
    CHECK(con.row() == 0);
    con.put_char('W');
    CHECK(fb.cell_is(15, 0, 'g', fg, bg));
    CHECK(fb.cell_is(0, 1, 'W', fg, bg));
    con.write("\bM");
    CHECK(fb.cell_is(0, 1, 'M', fg, bg));
    for (uint32_t y = 0; y < 32; y++)
        CHECK(fb.pixel(130, y) == 0);
}

TEST_CASE("fb: init refuses bad framebuffers without touching memory") {
    auto refused = [](FramebufferInfo info, Errc code, const char* what) {
        FramebufferConsole con(info);
        auto r = con.init();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == code);
        CHECK(std::string(r.error().what).find(what) != std::string::npos);
        con.write("must not be drawn");
    };
    Fb fb(64, 32, 32);
    FramebufferInfo i = fb.info;

    i.bpp = 8;
    refused(i, Errc::unsupported, "bpp");
    i = fb.info, i.bpp = 15;
    refused(i, Errc::unsupported, "bpp");
    i = fb.info, i.width = 0;
    refused(i, Errc::invalid_argument, "zero");
    i = fb.info, i.height = 0;
    refused(i, Errc::invalid_argument, "zero");
    i = fb.info, i.pitch = 64 * 4 - 1;
    refused(i, Errc::invalid_argument, "pitch");
    i = fb.info, i.base = nullptr;
    refused(i, Errc::invalid_argument, "null");
    i = fb.info, i.height = 15;
    refused(i, Errc::invalid_argument, "smaller than one");
    i = fb.info, i.red_pos = 30; // 30 + 8 > 32
    refused(i, Errc::unsupported, "colour field");
    i = fb.info, i.green_size = 0;
    refused(i, Errc::unsupported, "colour field");
    i = fb.info, i.bpp = 16; // 8:8:8 at 16/8/0 does not fit in 16 bits
    i.pitch = 64 * 2;
    refused(i, Errc::unsupported, "colour field");

    for (uint8_t b : fb.mem)
        REQUIRE(b == FILL);

    i = fb.info, i.pitch = 64 * 4; // exactly width * bytes per pixel is fine
    FramebufferConsole ok(i);
    CHECK(ok.init().ok());
}

TEST_CASE("fb: clear uses the current background and homes the cursor") {
    Fb fb(16, 32, 32);
    FramebufferConsole con(fb.info);
    REQUIRE(con.init().ok());
    con.write("ab\ncd");
    con.set_colors(WHITE, NAVY);
    con.clear();
    CHECK(con.column() == 0);
    CHECK(con.row() == 0);
    for (uint32_t y = 0; y < 32; y++)
        for (uint32_t x = 0; x < 16; x++)
            REQUIRE(fb.pixel(x, y) == 0x80);
}
