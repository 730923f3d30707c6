// Glue between the pure console renderers (core/console/) and the machine: where the VGA text
// buffer lives, the CRTC cursor registers, and the framebuffer handed over by GRUB.
#include "console/screen.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "core/boot/multiboot2.h"
#include "core/console/fb_console.h"
#include "core/console/text_grid.h"

#include <new>

namespace kern {

namespace {
enum class Screen { none, vga_text, framebuffer } g_screen = Screen::none;
alignas(VgaTextConsole) uint8_t g_vga_storage[sizeof(VgaTextConsole)];
alignas(FramebufferConsole) uint8_t g_fb_storage[sizeof(FramebufferConsole)];

VgaTextConsole& vga() {
    return *reinterpret_cast<VgaTextConsole*>(g_vga_storage);
}
FramebufferConsole& fbcon() {
    return *reinterpret_cast<FramebufferConsole*>(g_fb_storage);
}

constexpr uintptr_t VGA_TEXT_BUFFER = 0xB8000;

/// Move the blinking hardware cursor: CRTC registers 0x0E/0x0F (cursor location high/low)
/// through the index/data ports 0x3D4/0x3D5 (IBM VGA technical reference, CRT controller).
void vga_move_cursor(uint32_t col, uint32_t row) {
    uint16_t pos = uint16_t(row * 80 + col);
    cpu::outb(0x3D4, 0x0F);
    cpu::outb(0x3D5, uint8_t(pos));
    cpu::outb(0x3D4, 0x0E);
    cpu::outb(0x3D5, uint8_t(pos >> 8));
}
} // namespace

void screen_attach_vga_text() {
    new (g_vga_storage) VgaTextConsole(reinterpret_cast<volatile uint16_t*>(VGA_TEXT_BUFFER));
    vga().clear();
    g_screen = Screen::vga_text;
    kprintf("screen: VGA text mode, 80x25 at 0xb8000\n");
}

/// The boot page tables identity-map the first 4 GiB: a framebuffer must lie below.
constexpr uint64_t IDENTITY_MAPPED_END = 4ull * 1024 * 1024 * 1024;

void screen_attach_framebuffer(const BootFramebuffer& b) {
    if (b.addr + uint64_t(b.pitch) * b.height > IDENTITY_MAPPED_END) {
        kprintf("screen: framebuffer at %#lx is above 4 GiB (not identity-mapped); serial only\n",
                b.addr);
        return;
    }
    FramebufferInfo info{reinterpret_cast<uint8_t*>(b.addr),
                         b.width,
                         b.height,
                         b.pitch,
                         b.bpp,
                         b.red_pos,
                         b.red_size,
                         b.green_pos,
                         b.green_size,
                         b.blue_pos,
                         b.blue_size};
    new (g_fb_storage) FramebufferConsole(info);
    if (auto r = fbcon().init(); !r.ok()) {
        kprintf("screen: framebuffer refused: %s\n", r.error().what);
        return;
    }
    g_screen = Screen::framebuffer;
    kprintf("screen: framebuffer %ux%u, %u bpp, pitch %u, at %#lx\n", b.width, b.height, b.bpp,
            b.pitch, b.addr);
}

void screen_write(const char* s, size_t n) {
    switch (g_screen) {
    case Screen::vga_text:
        vga().write(s, n);
        vga_move_cursor(vga().column(), vga().row());
        break;
    case Screen::framebuffer:
        fbcon().write(s, n);
        break;
    case Screen::none:
        break;
    }
}

} // namespace kern
