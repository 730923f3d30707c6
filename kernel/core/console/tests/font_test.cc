// The built-in 8x16 font (font8x16.cc, given) the framebuffer console draws with.
#include "core/console/font.h"

#include <catch2/catch.hpp>

using namespace kern;

TEST_CASE("fb: the font has printable ASCII and distinct glyphs") {
    const uint8_t* a = font::glyph('A');
    const uint8_t* space = font::glyph(' ');
    int lit = 0;
    for (int y = 0; y < font::HEIGHT; y++) {
        CHECK(space[y] == 0);
        lit += __builtin_popcount(a[y]);
    }
    CHECK(lit > 10);
    CHECK(font::glyph(0xDB)[8] == 0xFF); // CP437 full block
    for (int c = 0x21; c < 0x7F; c++) {
        bool blank = true;
        for (int y = 0; y < font::HEIGHT; y++)
            blank = blank && font::glyph(static_cast<unsigned char>(c))[y] == 0;
        INFO("character " << static_cast<char>(c));
        CHECK_FALSE(blank);
    }
}
