// FramebufferConsole: a text console that draws font glyphs into a linear framebuffer.
//
// UEFI machines have no VGA text mode; GRUB hands the kernel a linear framebuffer in the
// multiboot2 framebuffer tag (type 8) instead: an address, width, height, pitch, bpp and,
// for direct RGB colour (framebuffer_type 1), the position and size of each colour field
// in a pixel. OVMF's is typically 32 bpp with red at bit 16, green 8, blue 0. The arch
// code maps that memory and fills a FramebufferInfo; from there everything is pure
// memory writes, so host tests draw into an ordinary array.
//
// Pixels are stored little-endian (x86), bpp/8 bytes each, row y starting at
// base + y * pitch. Text rows are font::HEIGHT pixel rows; pixels right of the last full
// column or below the last full row stay background.
#pragma once

#include "core/console/text_cursor.h"
#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// A linear framebuffer as the multiboot2 framebuffer tag describes it, with the address
/// already mapped.
struct FramebufferInfo {
    uint8_t* base;      ///< virtual address of pixel (0, 0)
    uint32_t width;     ///< visible pixels per line
    uint32_t height;    ///< lines
    uint32_t pitch;     ///< bytes from one line to the next, >= width * bpp / 8
    uint8_t bpp;        ///< bits per pixel: 16, 24 or 32
    uint8_t red_pos;    ///< bit position of the red field in a pixel
    uint8_t red_size;   ///< width of the red field in bits
    uint8_t green_pos;  ///< bit position of the green field
    uint8_t green_size; ///< width of the green field in bits
    uint8_t blue_pos;   ///< bit position of the blue field
    uint8_t blue_size;  ///< width of the blue field in bits
};

/// A colour with 8 bits per channel, converted to the framebuffer's format when drawn.
struct Rgb {
    uint8_t r; ///< red
    uint8_t g; ///< green
    uint8_t b; ///< blue
};

/// Pixel value of colour @p c in framebuffer @p fb's format: each 8-bit channel is cut
/// (or widened) to its field size, keeping the most significant bits, and shifted to its
/// field position. E.g. 5:6:5 at 11/5/0 packs {255, 255, 255} as 0xFFFF.
uint32_t pack_pixel(const FramebufferInfo& fb, Rgb c);

/// A console over a linear framebuffer, drawing with the built-in 8x16 font.
class FramebufferConsole {
  public:
    /// Light grey on black, like the VGA text default.
    static constexpr Rgb DEFAULT_FG{0xAA, 0xAA, 0xAA};
    /// Black.
    static constexpr Rgb DEFAULT_BG{0x00, 0x00, 0x00};

    /// A console over @p fb. Touches no memory and draws nothing until init() succeeds.
    explicit FramebufferConsole(const FramebufferInfo& fb) : m_fb(fb) {}

    /// Check the framebuffer description, work out the text grid and clear the screen.
    /// Fails without touching memory if base is null, a size is zero or too small for one
    /// glyph, bpp is not 16, 24 or 32, pitch < width * bpp / 8, or a colour field is
    /// empty or does not fit in a pixel.
    Result<void> init();

    /// Colours for characters drawn and areas cleared from now on.
    void set_colors(Rgb fg, Rgb bg);

    /// Write one byte (see text_cursor.h for the control characters it obeys).
    void put_char(char c);
    /// Write @p n bytes of @p s.
    void write(const char* s, size_t n);
    /// Write the NUL-terminated string @p s.
    void write(const char* s);
    /// Fill the whole framebuffer with the background colour; cursor to the top left.
    void clear();

    /// Cursor column, in [0, cols). Meaningful after a successful init().
    uint32_t column() const { return m_cursor.column(); }
    /// Cursor row, in [0, rows).
    uint32_t row() const { return m_cursor.row(); }
    /// Text columns: width / font::WIDTH.
    uint32_t cols() const { return m_cursor.cols(); }
    /// Text rows: height / font::HEIGHT.
    uint32_t rows() const { return m_cursor.rows(); }

  private:
    void draw_glyph(uint32_t col, uint32_t row, unsigned char c);
    void scroll_up();
    void fill_lines(uint32_t first, uint32_t count, uint32_t pixel);
    void store(uint8_t* p, uint32_t pixel) const;

    FramebufferInfo m_fb;
    TextCursor m_cursor{1, 1}; // replaced by the real grid in init()
    uint32_t m_bytes_per_pixel = 0;
    uint32_t m_fg = 0; // packed pixel values
    uint32_t m_bg = 0;
    Rgb m_fg_rgb = DEFAULT_FG;
    Rgb m_bg_rgb = DEFAULT_BG;
    bool m_ready = false;
};

} // namespace kern
