// VgaTextConsole: see text_grid.h.
#include "core/console/text_grid.h"

namespace kern {

void VgaTextConsole::put_char(char c) {
    CursorStep step = m_cursor.feed(c);
    if (step.scroll) scroll_up();
    if (step.draw)
        m_cells[step.row * cols() + step.col] =
            vga_cell(static_cast<unsigned char>(c), m_attribute);
}

void VgaTextConsole::write(const char* s, size_t n) {
    for (size_t i = 0; i < n; i++)
        put_char(s[i]);
}

void VgaTextConsole::write(const char* s) {
    while (*s)
        put_char(*s++);
}

void VgaTextConsole::clear() {
    for (uint32_t r = 0; r < rows(); r++)
        blank_row(r);
    m_cursor.home();
}

// Cells are copied one at a time rather than with memmove: the buffer is volatile (it is
// device memory on real hardware), and memmove would cast that away. Each cell keeps its
// own attribute, so coloured lines stay coloured as they move up; only the new bottom
// row takes the current attribute.
void VgaTextConsole::scroll_up() {
    const uint32_t n = (rows() - 1) * cols();
    for (uint32_t i = 0; i < n; i++)
        m_cells[i] = m_cells[i + cols()];
    blank_row(rows() - 1);
}

void VgaTextConsole::blank_row(uint32_t row) {
    const uint16_t blank = vga_cell(' ', m_attribute);
    for (uint32_t c = 0; c < cols(); c++)
        m_cells[row * cols() + c] = blank;
}

} // namespace kern
