// The on-screen console: VGA text on BIOS machines, the linear framebuffer on UEFI ones.
#pragma once

#include <stddef.h>

namespace kern {

struct BootFramebuffer;

/// Use the 80x25 VGA text buffer at physical 0xB8000 and clear it.
void screen_attach_vga_text();
/// Use a linear framebuffer (identity-mapped below 4 GiB). An unusable one (bad bpp, zero
/// size, above 4 GiB) is refused with a message on the other consoles.
void screen_attach_framebuffer(const BootFramebuffer& fb);
/// Draw bytes on whichever screen is attached (none: dropped). Caller holds the console lock.
void screen_write(const char* s, size_t n);

} // namespace kern
