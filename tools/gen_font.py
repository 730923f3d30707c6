#!/usr/bin/env python3
"""Generate kernel/core/console/font8x16.cc from a Linux console font (PSF1 or PSF2).

The kernel indexes its font by CP437 code (the byte a VGA text cell holds), so a
framebuffer console draws the same glyphs as the VGA text buffer. Console fonts
from Debian's console-setup-linux are ordered by their own glyph table, not by
CP437, so we look each CP437 code up through the fonts' Unicode tables, trying
each font in turn (Uni2-VGA16 lacks the smileys, card suits and half blocks that
FullGreek-VGA16, made from the same u_vga16.bdf, has). A code no font has gets a
hollow box, so the kernel never has to special-case it.

    apt-get install -y console-setup-linux
    python3 tools/gen_font.py -o kernel/core/console/font8x16.cc

Python 3 standard library only.
"""

import argparse
import gzip
import os
import struct
import sys

DEFAULT_FONTS = ["/usr/share/consolefonts/Uni2-VGA16.psf.gz",
                 "/usr/share/consolefonts/FullGreek-VGA16.psf.gz"]

# Where the default fonts come from and under which terms; the text goes verbatim into
# the generated file. Other fonts need --credit.
DEFAULT_CREDIT = [
    "Fonts: Uni2-VGA16, then FullGreek-VGA16 for the glyphs Uni2 lacks",
    "(/usr/share/consolefonts/*.psf.gz, Debian package console-setup-linux), both",
    "built from UNI-VGA's u_vga16.bdf.",
    "Copyright (c) 2000, 2001 by Dmitry Bolkhovityanov. Distributed under an MIT-style",
    "permission notice (see /usr/share/doc/console-setup-linux/copyright.fonts.gz):",
    "  Permission is hereby granted, free of charge, to any person obtaining a copy of",
    "  this software and associated documentation files (the \"Software\"), to deal in",
    "  the Software without restriction, including without limitation the rights to",
    "  use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of",
    "  the Software, and to permit persons to whom the Software is furnished to do so,",
    "  subject to the following conditions: The above copyright notice and this",
    "  permission notice shall be included in all copies or substantial portions of",
    "  the Software. THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND.",
]

# CP437 0x00-0x1F and 0x7F as glyphs (what a VGA card shows for those bytes); Python's
# cp437 codec maps them to control characters instead. 0x00 is shown blank.
CP437_LOW = (
    "\u0020\u263a\u263b\u2665\u2666\u2663\u2660\u2022\u25d8\u25cb\u25d9\u2642\u2640\u266a\u266b\u263c"
    "\u25ba\u25c4\u2195\u203c\u00b6\u00a7\u25ac\u21a8\u2191\u2193\u2192\u2190\u221f\u2194\u25b2\u25bc"
)
CP437_DEL = "\u2302"

# Look-alikes tried when no font has the exact code point: CP437 0x10/0x11 are the
# pointers U+25BA/U+25C4; u_vga16 only has the triangles U+25B6/U+25C0.
ALIASES = {"\u25ba": "\u25b6", "\u25c4": "\u25c0"}

# Drawn for a CP437 code that no source font has a glyph for.
MISSING_GLYPH = [0x00, 0x00, 0x7E, 0x42, 0x42, 0x42, 0x42, 0x42,
                 0x42, 0x42, 0x42, 0x42, 0x7E, 0x00, 0x00, 0x00]

WIDTH, HEIGHT = 8, 16


def cp437_to_unicode(code):
    if code < 0x20:
        return CP437_LOW[code]
    if code == 0x7F:
        return CP437_DEL
    return bytes([code]).decode("cp437")


def parse_psf1(data):
    mode, charsize = data[2], data[3]
    count = 512 if mode & 0x01 else 256
    glyphs = [data[4 + i * charsize: 4 + (i + 1) * charsize] for i in range(count)]
    table = {}
    if mode & 0x06:  # PSF1_MODEHASTAB / PSF1_MODEHASSEQ
        pos, index = 4 + count * charsize, 0
        in_seq = False
        while index < count and pos + 2 <= len(data):
            (u,) = struct.unpack_from("<H", data, pos)
            pos += 2
            if u == 0xFFFF:
                index, in_seq = index + 1, False
            elif u == 0xFFFE:
                in_seq = True  # combining sequences: not single characters, skip them
            elif not in_seq:
                table.setdefault(chr(u), index)
    return WIDTH, charsize, glyphs, table


def parse_psf2(data):
    _, _, hdrsize, flags, count, charsize, height, width = struct.unpack_from("<8I", data, 0)
    glyphs = [data[hdrsize + i * charsize: hdrsize + (i + 1) * charsize] for i in range(count)]
    table = {}
    if flags & 0x01:  # PSF2_HAS_UNICODE_TABLE: UTF-8 strings, 0xFF ends a glyph's entry
        pos = hdrsize + count * charsize
        for index in range(count):
            end = data.index(b"\xff", pos)
            entry = data[pos:end].split(b"\xfe")[0]  # drop sequences after 0xFE
            for ch in entry.decode("utf-8"):
                table.setdefault(ch, index)
            pos = end + 1
    return width, height, glyphs, table


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] == b"\x36\x04":
        width, height, glyphs, table = parse_psf1(data)
    elif data[:4] == b"\x72\xb5\x4a\x86":
        width, height, glyphs, table = parse_psf2(data)
    else:
        sys.exit(f"{path}: not a PSF1 or PSF2 font")
    if (width, height) != (WIDTH, HEIGHT):
        sys.exit(f"{path}: glyphs are {width}x{height}, need {WIDTH}x{HEIGHT}")
    if not table:  # no Unicode table: assume the font is already in CP437 order
        table = {cp437_to_unicode(c): c for c in range(min(256, len(glyphs)))}
    return glyphs, table


def find(fonts, ch):
    """Bitmap of character ch from the first font that has it (or its alias), else None."""
    for wanted in (ch, ALIASES.get(ch)):
        for glyphs, table in fonts:
            if wanted is not None and wanted in table:
                return list(glyphs[table[wanted]][:HEIGHT])
    return None


def generate(paths, credit):
    fonts = [load(p) for p in paths]
    names = ", ".join(os.path.basename(p) for p in paths)
    out = ["// GENERATED by tools/gen_font.py from " + names + ": do not edit.", "//"]
    out += ["// " + line for line in credit]
    missing = []
    rows = []
    for code in range(256):
        ch = cp437_to_unicode(code)
        bits = find(fonts, ch)
        if bits is None:
            bits = MISSING_GLYPH
            missing.append(code)
        label = "" if code < 0x20 or code == 0x7F else " '" + ch + "'"
        if ch == "\\":
            label = " backslash"  # a trailing backslash would continue the // comment
        elif code == 0xFF:
            label = " (no-break space)"
        rows.append("    {" + ", ".join(f"0x{b:02x}" for b in bits) + "}, // 0x%02x U+%04X%s"
                    % (code, ord(ch), label))
    out += [
        "//",
        "// Glyphs are indexed by CP437 code; each is 16 rows, top row first, bit 7 = leftmost",
        "// pixel. A CP437 code no source font has is drawn as a hollow box; here: "
        + (", ".join(f"0x{c:02x}" for c in missing) if missing else "none") + ".",
        "// Regenerate: python3 tools/gen_font.py -o kernel/core/console/font8x16.cc",
        "#include \"core/console/font.h\"",
        "",
        "namespace kern::font {",
        "",
        "namespace {",
        "// clang-format off",
        "const uint8_t GLYPHS[256][HEIGHT] = {",
    ]
    out += rows
    out += [
        "};",
        "// clang-format on",
        "} // namespace",
        "",
        "const uint8_t* glyph(unsigned char c) {",
        "    return GLYPHS[c];",
        "}",
        "",
        "} // namespace kern::font",
        "",
    ]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fonts", nargs="*", default=DEFAULT_FONTS,
                    help="PSF1/PSF2 files, maybe gzipped, tried in order for each character")
    ap.add_argument("-o", "--output", help="output .cc (default: stdout)")
    ap.add_argument("--credit", action="append",
                    help="source/licence line for the header comment (repeat for more lines)")
    args = ap.parse_args()
    credit = args.credit or (DEFAULT_CREDIT if args.fonts == DEFAULT_FONTS else None)
    if not credit:
        sys.exit("other fonts: say where they come from and their licence with --credit")
    text = generate(args.fonts, credit)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
