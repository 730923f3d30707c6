// Integer-to-text conversion: the part of kprintf that lab 0 asks you to write.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// How one integer conversion is to be printed; filled in by the format-string parser.
struct IntSpec {
    unsigned base = 10; ///< 2, 8, 10 or 16
    bool upper = false; ///< hex digits A-F instead of a-f (%X); also "0X" with alt
    bool left = false;  ///< '-' flag: pad on the right with spaces
    bool zero = false;  ///< '0' flag: pad with zeros after the sign/prefix (ignored if left or
                        ///< precision given)
    bool plus = false;  ///< '+' flag: "+" before non-negative signed numbers
    bool space = false; ///< ' ' flag: " " before non-negative signed numbers (plus wins)
    bool alt =
        false; ///< '#' flag: "0x"/"0X" for base 16 and "0b" for base 2 if non-zero, "0" for base 8
    bool is_signed = false; ///< a signed conversion (%d/%i): plus/space apply
    int width = 0;          ///< minimum field width, 0..FORMAT_INT_MAX_WIDTH
    int precision =
        -1; ///< minimum digits, -1 if none given; precision 0 with value 0 prints no digits
};

/// Largest width/precision the parser passes on; larger requests are clamped.
inline constexpr int FORMAT_INT_MAX_WIDTH = 64;
/// A buffer of this size always holds format_integer's output (64 binary digits + prefix +
/// padding).
inline constexpr size_t FORMAT_INT_BUFSIZE = 160;

/// Write the text of one integer conversion to `out` (at least FORMAT_INT_BUFSIZE bytes), without
/// a terminating NUL, and return its length. `magnitude` is the absolute value; `negative` says
/// whether a '-' sign is due (only ever true for signed conversions). Follows C11 7.21.6.1.
size_t format_integer(char* out, uint64_t magnitude, bool negative, const IntSpec& spec);

} // namespace kern
