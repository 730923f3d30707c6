// Lab 0, step 4: the framebuffer console. Contracts in core/console/fb_console.h; the handout
// (labs/lab0-boot/README.md) walks through them. Until you write it, init() refuses every
// framebuffer and the kernel's text goes to the serial port only.
#include "core/console/fb_console.h"

#include "core/console/font.h"

namespace kern {

uint32_t pack_pixel(const FramebufferInfo& fb, Rgb c) {
    (void)fb;
    (void)c;
    return 0; // TODO(lab 0)
}

Result<void> FramebufferConsole::init() {
    return Error{Errc::unsupported, "the framebuffer console is not written yet (lab 0)"};
}

void FramebufferConsole::set_colors(Rgb fg, Rgb bg) {
    (void)fg;
    (void)bg; // TODO(lab 0)
}

void FramebufferConsole::put_char(char c) {
    (void)c; // TODO(lab 0)
}

void FramebufferConsole::write(const char* s, size_t n) {
    (void)s;
    (void)n; // TODO(lab 0)
}

void FramebufferConsole::write(const char* s) {
    (void)s; // TODO(lab 0)
}

void FramebufferConsole::clear() {
    // TODO(lab 0)
}

void FramebufferConsole::store(uint8_t* p, uint32_t pixel) const {
    (void)p;
    (void)pixel; // TODO(lab 0)
}

void FramebufferConsole::draw_glyph(uint32_t col, uint32_t row, unsigned char c) {
    (void)col;
    (void)row;
    (void)c; // TODO(lab 0)
}

void FramebufferConsole::scroll_up() {
    // TODO(lab 0)
}

void FramebufferConsole::fill_lines(uint32_t first, uint32_t count, uint32_t pixel) {
    (void)first;
    (void)count;
    (void)pixel; // TODO(lab 0)
}

} // namespace kern
