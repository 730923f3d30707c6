/* Where the AP trampoline runs: a page below 1 MiB, reserved from the frame allocator (the
 * kernel reserves all of the first MiB). SIPI vector = TRAMPOLINE_PHYS >> 12. */
#pragma once
#define TRAMPOLINE_PHYS 0x8000
