// Host tests for VgaTextConsole (and through it the shared TextCursor rules).
#include "core/console/text_grid.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace kern;

namespace {

static_assert(ConsoleSink<VgaTextConsole>);

constexpr uint16_t CANARY = 0xDEAD;

// A cols x rows cell array followed by a few canary cells that must never be written.
struct Screen {
    uint32_t cols, rows;
    std::vector<uint16_t> cells;
    Screen(uint32_t c, uint32_t r) : cols(c), rows(r), cells(c * r + 8, CANARY) {}
    volatile uint16_t* data() { return cells.data(); }
    uint16_t at(uint32_t col, uint32_t row) const { return cells[row * cols + col]; }
    char ch(uint32_t col, uint32_t row) const { return static_cast<char>(at(col, row) & 0xFF); }
    uint8_t attr(uint32_t col, uint32_t row) const {
        return static_cast<uint8_t>(at(col, row) >> 8);
    }
    // Characters of one row, for readable comparisons.
    std::string line(uint32_t row) const {
        std::string s;
        for (uint32_t c = 0; c < cols; c++)
            s += ch(c, row);
        return s;
    }
    bool canaries_intact() const {
        for (size_t i = cols * rows; i < cells.size(); i++)
            if (cells[i] != CANARY) return false;
        return true;
    }
};

} // namespace

TEST_CASE("vga: the constructor touches nothing, clear blanks in the current attribute") {
    Screen s(80, 25);
    VgaTextConsole con(s.data());
    CHECK(s.at(0, 0) == CANARY);
    CHECK(con.cols() == 80);
    CHECK(con.rows() == 25);
    con.set_attribute(vga_attribute(VgaColor::yellow, VgaColor::blue));
    con.clear();
    for (uint32_t r = 0; r < 25; r++)
        for (uint32_t c = 0; c < 80; c++)
            REQUIRE(s.at(c, r) == 0x1E20);
    CHECK(s.canaries_intact());
}

TEST_CASE("vga: characters carry the attribute and advance the cursor") {
    Screen s(80, 25);
    VgaTextConsole con(s.data());
    con.clear();
    con.write("Hi");
    con.set_attribute(vga_attribute(VgaColor::light_red, VgaColor::black));
    con.put_char('!');
    CHECK(s.at(0, 0) == (0x0700 | 'H'));
    CHECK(s.at(1, 0) == (0x0700 | 'i'));
    CHECK(s.at(2, 0) == (0x0C00 | '!'));
    CHECK(con.column() == 3);
    CHECK(con.row() == 0);
}

TEST_CASE("vga: bytes above 0x7F are CP437 glyphs, other control bytes are ignored") {
    Screen s(10, 2);
    VgaTextConsole con(s.data(), 10, 2);
    con.clear();
    con.write("\xC9\a\x1B\x7F\xBB");
    CHECK(s.at(0, 0) == (0x0700 | 0xC9));
    CHECK(s.at(1, 0) == (0x0700 | 0xBB));
    CHECK(con.column() == 2);
}

TEST_CASE("vga: newline, carriage return and backspace") {
    Screen s(10, 4);
    VgaTextConsole con(s.data(), 10, 4);
    con.clear();
    con.write("abc\nde\rX\n");
    CHECK(s.line(0) == "abc       ");
    CHECK(s.line(1) == "Xe        ");
    CHECK(con.column() == 0);
    CHECK(con.row() == 2);
    con.write("ab\bX");
    CHECK(s.line(2) == "aX        ");
    con.write("\r\b\bY"); // backspace stops at column 0
    CHECK(s.line(2) == "YX        ");
}

TEST_CASE("vga: tab moves to the next multiple of 8 without wrapping") {
    Screen s(20, 3);
    VgaTextConsole con(s.data(), 20, 3);
    con.clear();
    con.write("\tX");
    CHECK(s.ch(8, 0) == 'X');
    con.write("\r1234567\tY"); // from column 7 to 8
    CHECK(s.ch(8, 0) == 'Y');
    con.write("\r12345678\tZ"); // from column 8 to 16
    CHECK(s.ch(16, 0) == 'Z');
    con.write("\t"); // from 17: the line end, not the next line
    CHECK(con.row() == 0);
    CHECK(con.column() == 19);
    con.put_char('W'); // wraps now
    CHECK(s.ch(0, 1) == 'W');
    CHECK(s.ch(19, 0) == ' ');
}

TEST_CASE("vga: lines wrap at the right edge, and a full line then newline takes one row") {
    Screen s(8, 3);
    VgaTextConsole con(s.data(), 8, 3);
    con.clear();
    con.write("abcdefgh");
    CHECK(con.row() == 0); // deferred wrap: still on the full line
    CHECK(con.column() == 7);
    con.write("ij");
    CHECK(s.line(0) == "abcdefgh");
    CHECK(s.line(1) == "ij      ");
    con.write("\r12345678\nk");
    CHECK(s.line(1) == "12345678");
    CHECK(s.line(2) == "k       ");
    CHECK(s.canaries_intact());
}

TEST_CASE("vga: scrolling moves rows up with their attributes and blanks the last row") {
    Screen s(6, 3);
    VgaTextConsole con(s.data(), 6, 3);
    con.clear();
    const uint8_t red = vga_attribute(VgaColor::red, VgaColor::black);
    const uint8_t green = vga_attribute(VgaColor::green, VgaColor::black);
    const uint8_t blue_bg = vga_attribute(VgaColor::white, VgaColor::blue);
    con.set_attribute(red);
    con.write("one\n");
    con.set_attribute(green);
    con.write("two\n");
    con.write("three");
    con.set_attribute(blue_bg);
    con.write("\n4");
    CHECK(s.line(0) == "two   ");
    CHECK(s.line(1) == "three ");
    CHECK(s.line(2) == "4     ");
    CHECK(s.attr(0, 0) == green);
    CHECK(s.attr(0, 1) == green);
    CHECK(s.attr(0, 2) == blue_bg);
    CHECK(s.attr(5, 2) == blue_bg); // the blanked row takes the current attribute
    CHECK(con.row() == 2);
    CHECK(con.column() == 1);

    // Wrapping past the last row scrolls too.
    con.write("\r123456x");
    CHECK(s.line(1) == "123456");
    CHECK(s.line(2) == "x     ");
    CHECK(s.canaries_intact());
}

TEST_CASE("vga: a one-row console scrolls onto itself") {
    Screen s(4, 1);
    VgaTextConsole con(s.data(), 4, 1);
    con.clear();
    con.write("abcd\nxy");
    CHECK(s.line(0) == "xy  ");
    CHECK(s.canaries_intact());
}
