// TextCursor: the cursor rules shared by every text console (VGA cells, framebuffer).
//
// Both consoles interpret the same bytes the same way; only "draw a character at a cell"
// and "scroll everything up one row" differ. So the cursor is a pure state machine: feed
// it a byte, and it says whether to scroll and where (if anywhere) to draw. The console
// does the drawing. This keeps '\t' and wrap rules in one place, tested once per console.
//
// Rules (those of a Linux-style terminal with LF implying CR):
//   - '\n' goes to column 0 of the next row; '\r' to column 0 of this row.
//   - '\t' moves to the next multiple of 8 columns, never past the end of the line.
//   - '\b' moves one column left, stopping at column 0; it erases nothing (a line editor
//     erases with "\b \b").
//   - Other bytes below 0x20 and 0x7F are ignored; the rest are drawn as CP437 glyphs.
//   - Deferred wrap: writing the last column leaves the cursor "past the end", and only
//     the next printable byte wraps. So an 80-column line followed by '\n' takes one row,
//     not two with a blank one between.
//   - Moving below the last row scrolls the screen up one row and stays on the last row.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// A console that accepts bytes; the VGA and framebuffer consoles both satisfy it, so a
/// printk-style writer can take either.
template <typename T>
concept ConsoleSink = requires(T& sink, const char* s, size_t n, char c) {
    sink.put_char(c);
    sink.write(s, n);
};

/// What a console must do for one byte, in this order: scroll, then draw.
struct CursorStep {
    bool scroll;  ///< scroll the screen up one text row first
    bool draw;    ///< draw the byte at (col, row)
    uint32_t col; ///< cell column to draw at, valid if draw
    uint32_t row; ///< cell row to draw at (after the scroll), valid if draw
};

/// Cursor position on a cols x rows grid and the rules that move it.
class TextCursor {
  public:
    /// Tab stops every TAB_WIDTH columns.
    static constexpr uint32_t TAB_WIDTH = 8;

    /// A cursor at (0, 0) on a @p cols x @p rows grid; both must be at least 1.
    constexpr TextCursor(uint32_t cols, uint32_t rows) : m_cols(cols), m_rows(rows) {}

    /// Advance the cursor over byte @p c and say what to do on screen for it.
    constexpr CursorStep feed(char c) {
        CursorStep step{false, false, 0, 0};
        auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '\n':
            step.scroll = next_line();
            break;
        case '\r':
            m_col = 0;
            break;
        case '\t':
            m_col = (m_col / TAB_WIDTH + 1) * TAB_WIDTH;
            if (m_col > m_cols) m_col = m_cols; // a tab never wraps; the next printable byte does
            break;
        case '\b':
            if (m_col > 0) m_col--;
            break;
        default:
            if (u < 0x20 || u == 0x7F) break;
            if (m_col == m_cols) // deferred wrap from the previous byte
                step.scroll = next_line();
            step.draw = true;
            step.col = m_col;
            step.row = m_row;
            m_col++;
            break;
        }
        return step;
    }

    /// Back to the top-left corner, e.g. after the screen was cleared.
    constexpr void home() { m_col = m_row = 0; }

    /// Column of the cell the next character goes to, in [0, cols). Right after the last
    /// column was written this is cols - 1, which is where a hardware cursor should sit.
    constexpr uint32_t column() const { return m_col < m_cols ? m_col : m_cols - 1; }
    /// Row of the cursor, in [0, rows).
    constexpr uint32_t row() const { return m_row; }
    /// Grid width in cells.
    constexpr uint32_t cols() const { return m_cols; }
    /// Grid height in cells.
    constexpr uint32_t rows() const { return m_rows; }

  private:
    // Column 0 of the next row; true if that row is below the grid, i.e. the caller must
    // scroll (the cursor then stays on the last row).
    constexpr bool next_line() {
        m_col = 0;
        if (m_row + 1 < m_rows) {
            m_row++;
            return false;
        }
        return true;
    }

    uint32_t m_cols;
    uint32_t m_rows;
    uint32_t m_col = 0; // may equal m_cols: the line is full, wrap pending
    uint32_t m_row = 0;
};

} // namespace kern
