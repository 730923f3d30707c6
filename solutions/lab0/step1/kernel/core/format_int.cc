// Lab 0 solution: integer conversion for kprintf (C11 7.21.6.1).
#include "core/format_int.h"

namespace kern {

size_t format_integer(char* out, uint64_t magnitude, bool negative, const IntSpec& spec) {
    // Digits, least significant first.
    char digits[64];
    int ndigits = 0;
    const char* alphabet = spec.upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = (spec.base == 2 || spec.base == 8 || spec.base == 16) ? spec.base : 10;
    for (uint64_t v = magnitude; v; v /= base)
        digits[ndigits++] = alphabet[v % base];
    // "%.0d" of 0 prints no digits at all; otherwise 0 is one digit "0".
    if (magnitude == 0 && spec.precision != 0) digits[ndigits++] = '0';

    char sign = 0;
    if (negative)
        sign = '-';
    else if (spec.is_signed && spec.plus)
        sign = '+';
    else if (spec.is_signed && spec.space)
        sign = ' ';

    const char* prefix = "";
    if (spec.alt && magnitude != 0) {
        if (base == 16)
            prefix = spec.upper ? "0X" : "0x";
        else if (base == 2)
            prefix = "0b";
    }
    int prefix_len = prefix[0] ? 2 : 0;

    int zeros = spec.precision > ndigits ? spec.precision - ndigits : 0;
    // Octal with '#': the first digit must be 0.
    if (spec.alt && base == 8 && zeros == 0 && (ndigits == 0 || digits[ndigits - 1] != '0'))
        zeros = 1;
    int body = (sign ? 1 : 0) + prefix_len + zeros + ndigits;
    if (spec.zero && !spec.left && spec.precision < 0 && spec.width > body) {
        zeros += spec.width - body;
        body = spec.width;
    }
    int spaces = spec.width > body ? spec.width - body : 0;

    size_t n = 0;
    if (!spec.left)
        while (spaces-- > 0)
            out[n++] = ' ';
    if (sign) out[n++] = sign;
    for (int i = 0; i < prefix_len; ++i)
        out[n++] = prefix[i];
    while (zeros-- > 0)
        out[n++] = '0';
    while (ndigits > 0)
        out[n++] = digits[--ndigits];
    if (spec.left)
        while (spaces-- > 0)
            out[n++] = ' ';
    return n;
}

} // namespace kern
