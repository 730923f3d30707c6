// Lab 0, step 4: the framebuffer console (contracts in core/console/fb_console.h).
#include "core/console/fb_console.h"

#include "core/console/font.h"

namespace kern {

namespace {

// One 8-bit channel cut to a field of `size` bits (top bits kept: 0xFF stays all ones) or,
// for fields wider than 8 bits (10-bit deep colour), shifted up.
uint32_t scale_channel(uint8_t v, uint8_t size) {
    if (size >= 8) return static_cast<uint32_t>(v) << (size - 8);
    return static_cast<uint32_t>(v) >> (8 - size);
}

bool field_fits(uint8_t pos, uint8_t size, uint8_t bpp) {
    return size > 0 && pos + size <= bpp;
}

} // namespace

uint32_t pack_pixel(const FramebufferInfo& fb, Rgb c) {
    return scale_channel(c.r, fb.red_size) << fb.red_pos |
           scale_channel(c.g, fb.green_size) << fb.green_pos |
           scale_channel(c.b, fb.blue_size) << fb.blue_pos;
}

// Validate everything first, then write: a bad tag must not scribble over memory.
Result<void> FramebufferConsole::init() {
    const FramebufferInfo& fb = m_fb;
    if (fb.base == nullptr)
        return Error{Errc::invalid_argument, "framebuffer: base address is null"};
    if (fb.width == 0 || fb.height == 0)
        return Error{Errc::invalid_argument, "framebuffer: width or height is zero"};
    if (fb.bpp != 16 && fb.bpp != 24 && fb.bpp != 32)
        return Error{Errc::unsupported, "framebuffer: bpp is not 16, 24 or 32"};
    if (static_cast<uint64_t>(fb.pitch) < static_cast<uint64_t>(fb.width) * (fb.bpp / 8))
        return Error{Errc::invalid_argument, "framebuffer: pitch < width * bytes per pixel"};
    if (fb.width < static_cast<uint32_t>(font::WIDTH) ||
        fb.height < static_cast<uint32_t>(font::HEIGHT))
        return Error{Errc::invalid_argument, "framebuffer: smaller than one 8x16 character"};
    if (!field_fits(fb.red_pos, fb.red_size, fb.bpp) ||
        !field_fits(fb.green_pos, fb.green_size, fb.bpp) ||
        !field_fits(fb.blue_pos, fb.blue_size, fb.bpp))
        return Error{Errc::unsupported,
                     "framebuffer: a colour field is empty or outside the pixel (not RGB?)"};

    m_bytes_per_pixel = fb.bpp / 8;
    m_cursor = TextCursor(fb.width / font::WIDTH, fb.height / font::HEIGHT);
    m_ready = true;
    set_colors(m_fg_rgb, m_bg_rgb);
    clear();
    return {};
}

void FramebufferConsole::set_colors(Rgb fg, Rgb bg) {
    m_fg_rgb = fg;
    m_bg_rgb = bg;
    m_fg = pack_pixel(m_fb, fg);
    m_bg = pack_pixel(m_fb, bg);
}

void FramebufferConsole::put_char(char c) {
    if (!m_ready) return;
    CursorStep step = m_cursor.feed(c);
    if (step.scroll) scroll_up();
    if (step.draw) draw_glyph(step.col, step.row, static_cast<unsigned char>(c));
}

void FramebufferConsole::write(const char* s, size_t n) {
    for (size_t i = 0; i < n; i++)
        put_char(s[i]);
}

void FramebufferConsole::write(const char* s) {
    while (*s)
        put_char(*s++);
}

void FramebufferConsole::clear() {
    if (!m_ready) return;
    fill_lines(0, m_fb.height, m_bg);
    m_cursor.home();
}

// Little-endian byte stores work for every depth and need no alignment (a 24 bpp pixel
// is never aligned); GCC's store merging turns the 32 bpp case into one 32-bit store.
void FramebufferConsole::store(uint8_t* p, uint32_t pixel) const {
    p[0] = static_cast<uint8_t>(pixel);
    p[1] = static_cast<uint8_t>(pixel >> 8);
    if (m_bytes_per_pixel >= 3) p[2] = static_cast<uint8_t>(pixel >> 16);
    if (m_bytes_per_pixel == 4) p[3] = static_cast<uint8_t>(pixel >> 24);
}

// Every pixel of the 8x16 cell is written, background included, so a glyph drawn over
// another (after '\b' or '\r') replaces it completely.
void FramebufferConsole::draw_glyph(uint32_t col, uint32_t row, unsigned char c) {
    const uint8_t* bits = font::glyph(c);
    uint8_t* line = m_fb.base + static_cast<size_t>(row) * font::HEIGHT * m_fb.pitch +
                    static_cast<size_t>(col) * font::WIDTH * m_bytes_per_pixel;
    for (int y = 0; y < font::HEIGHT; y++, line += m_fb.pitch) {
        uint8_t* p = line;
        for (int x = 0; x < font::WIDTH; x++, p += m_bytes_per_pixel)
            store(p, bits[y] & (0x80 >> x) ? m_fg : m_bg);
    }
}

// Move text rows 1..rows-1 up by one text row (font::HEIGHT pixel lines) and clear the
// last text row. Whole lines move, pitch padding included, so one memmove does it.
// Reading framebuffer memory is slow on real hardware (it is mapped uncached or
// write-combining); if scrolling ever matters, keep a shadow copy in RAM and only write.
void FramebufferConsole::scroll_up() {
    const size_t text_row_bytes = static_cast<size_t>(font::HEIGHT) * m_fb.pitch;
    const uint32_t last = rows() - 1;
    __builtin_memmove(m_fb.base, m_fb.base + text_row_bytes, last * text_row_bytes);
    fill_lines(last * font::HEIGHT, font::HEIGHT, m_bg);
}

// Set `count` pixel lines starting at line `first` to `pixel`, across the visible width.
void FramebufferConsole::fill_lines(uint32_t first, uint32_t count, uint32_t pixel) {
    uint8_t* line = m_fb.base + static_cast<size_t>(first) * m_fb.pitch;
    for (uint32_t y = 0; y < count; y++, line += m_fb.pitch) {
        uint8_t* p = line;
        for (uint32_t x = 0; x < m_fb.width; x++, p += m_bytes_per_pixel)
            store(p, pixel);
    }
}

} // namespace kern
