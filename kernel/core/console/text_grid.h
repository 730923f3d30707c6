// VgaTextConsole: a text console drawing into a VGA-style array of character cells.
//
// On a BIOS machine in text mode the array is the 80x25 buffer at physical 0xB8000; each
// cell is a uint16_t: CP437 character in the low byte, attribute (colour) in the high byte
// (bits 0-3 foreground, 4-6 background, 7 blink or bright background). The console only
// writes memory it is given, so host tests hand it an ordinary array; mapping 0xB8000 and
// moving the hardware cursor (CRTC ports 0x3D4/0x3D5) belong to the arch code, which reads
// column() and row() after writing.
#pragma once

#include "core/console/text_cursor.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// The 16 VGA text colours, in attribute-nibble order.
enum class VgaColor : uint8_t {
    black = 0,
    blue,
    green,
    cyan,
    red,
    magenta,
    brown,
    light_grey,
    dark_grey,
    light_blue,
    light_green,
    light_cyan,
    light_red,
    light_magenta,
    yellow,
    white,
};

/// Attribute byte for foreground @p fg on background @p bg. Only 8 background colours
/// exist unless the arch code turns blinking off, so bg should be below dark_grey.
constexpr uint8_t vga_attribute(VgaColor fg, VgaColor bg) {
    return static_cast<uint8_t>(static_cast<uint8_t>(fg) | static_cast<uint8_t>(bg) << 4);
}

/// A cell value: character @p c in colour @p attribute.
constexpr uint16_t vga_cell(unsigned char c, uint8_t attribute) {
    return static_cast<uint16_t>(c | attribute << 8);
}

/// A console over a cols x rows array of VGA text cells.
class VgaTextConsole {
  public:
    /// Standard VGA text mode size.
    static constexpr uint32_t VGA_COLS = 80;
    /// Standard VGA text mode size.
    static constexpr uint32_t VGA_ROWS = 25;
    /// Light grey on black, the BIOS default.
    static constexpr uint8_t DEFAULT_ATTRIBUTE =
        vga_attribute(VgaColor::light_grey, VgaColor::black);

    /// A console over @p cells (cols * rows of them, row-major), cursor at the top left.
    /// Touches no memory: call clear() to start from a blank screen, or keep what the
    /// firmware left there. cols and rows must be at least 1.
    VgaTextConsole(volatile uint16_t* cells, uint32_t cols = VGA_COLS, uint32_t rows = VGA_ROWS)
        : m_cells(cells), m_cursor(cols, rows) {}

    /// Write one byte (see text_cursor.h for the control characters it obeys).
    void put_char(char c);
    /// Write @p n bytes of @p s.
    void write(const char* s, size_t n);
    /// Write the NUL-terminated string @p s.
    void write(const char* s);
    /// Fill the screen with blanks in the current attribute; cursor to the top left.
    void clear();

    /// Attribute used for characters written and rows blanked from now on.
    void set_attribute(uint8_t attribute) { m_attribute = attribute; }
    /// The current attribute.
    uint8_t attribute() const { return m_attribute; }

    /// Cursor column, in [0, cols).
    uint32_t column() const { return m_cursor.column(); }
    /// Cursor row, in [0, rows).
    uint32_t row() const { return m_cursor.row(); }
    /// Screen width in cells.
    uint32_t cols() const { return m_cursor.cols(); }
    /// Screen height in cells.
    uint32_t rows() const { return m_cursor.rows(); }

  private:
    void scroll_up();
    void blank_row(uint32_t row);

    volatile uint16_t* m_cells;
    TextCursor m_cursor;
    uint8_t m_attribute = DEFAULT_ATTRIBUTE;
};

} // namespace kern
