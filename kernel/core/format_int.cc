// Lab 0: integer conversion for kprintf.
//
// The format-string parser (core/format.cc) has already decoded a conversion such as "%-08x"
// into an IntSpec; your job is to turn one integer into its text, exactly as C's printf would
// (C11 7.21.6.1). The pieces, in output order:
//
//   [left spaces] [sign] [prefix] [zeros] digits [right spaces]
//
//   sign    "-" if negative; else "+" if spec.plus, else " " if spec.space (signed only)
//   prefix  with spec.alt and a non-zero value: "0x"/"0X" (base 16), "0b" (base 2);
//           base 8 with alt guarantees a leading "0" digit instead
//   zeros   up to spec.precision digits; or, with spec.zero (and no precision, not left),
//           enough to fill spec.width
//   spaces  fill to spec.width, on the left unless spec.left
//
// Examples: ("%5d", 42) -> "   42"; ("%-5d|", 42) -> "42   |"; ("%05d", -42) -> "-0042";
//           ("%#x", 255) -> "0xff"; ("%#010x", 255) -> "0x000000ff"; ("%.3u", 7) -> "007";
//           ("%.0d", 0) -> ""; ("%b", 5) -> "101"; ("%+d", 0) -> "+0".
#include "core/format_int.h"

namespace kern {

size_t format_integer(char* out, uint64_t magnitude, bool negative, const IntSpec& spec) {
    // TODO(lab0): write the digits of `magnitude` in spec.base, then add sign, prefix and
    // padding as described above. Return the number of characters written to `out`.
    (void)magnitude;
    (void)negative;
    (void)spec;
    out[0] = '?';
    return 1;
}

} // namespace kern
