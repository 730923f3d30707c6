// Lab 0, step 1: the format-string parser. It walks `fmt`, decodes each conversion (C11
// 7.21.6.1) into an IntSpec or a string/char, and hands the text to the sink. Integers go
// through format_integer() (core/format_int.cc).
#include "core/format.h"

#include "core/format_int.h"

#include <stdint.h>

namespace kern {

namespace {

/// Counts characters and forwards them: the one place that output leaves the parser.
struct Emitter {
    FormatSink sink;
    size_t count = 0;

    void put(const char* s, size_t n) {
        if (n) {
            sink.put(sink.ctx, s, n);
            count += n;
        }
    }
    void pad(char c, int n) {
        char buf[16];
        for (auto& b : buf)
            b = c;
        while (n > 0) {
            int k = n < 16 ? n : 16;
            put(buf, size_t(k));
            n -= k;
        }
    }
};

size_t cstr_len(const char* s, int max) {
    size_t n = 0;
    while ((max < 0 || n < size_t(max)) && s[n])
        ++n;
    return n;
}

int parse_number(const char*& p) {
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < 100000) v = v * 10 + (*p - '0');
        ++p;
    }
    return v;
}

int clamp_width(int v) {
    return v > FORMAT_INT_MAX_WIDTH ? FORMAT_INT_MAX_WIDTH : v;
}

enum class Length { none, hh, h, l, ll, z };

} // namespace

size_t vformat(FormatSink sink, const char* fmt, va_list ap) {
    Emitter out{sink};
    const char* p = fmt;
    while (*p) {
        if (*p != '%') {
            const char* start = p;
            while (*p && *p != '%')
                ++p;
            out.put(start, size_t(p - start));
            continue;
        }
        const char* conv_start = p++;
        IntSpec spec;
        for (;; ++p) {
            if (*p == '-')
                spec.left = true;
            else if (*p == '0')
                spec.zero = true;
            else if (*p == '+')
                spec.plus = true;
            else if (*p == ' ')
                spec.space = true;
            else if (*p == '#')
                spec.alt = true;
            else
                break;
        }
        if (*p == '*') {
            int w = va_arg(ap, int);
            if (w < 0) {
                spec.left = true;
                w = -w;
            }
            spec.width = clamp_width(w);
            ++p;
        } else {
            spec.width = clamp_width(parse_number(p));
        }
        if (*p == '.') {
            ++p;
            if (*p == '*') {
                int prec = va_arg(ap, int);
                spec.precision = prec < 0 ? -1 : clamp_width(prec);
                ++p;
            } else {
                spec.precision = clamp_width(parse_number(p));
            }
        }
        Length len = Length::none;
        if (*p == 'h') {
            len = (p[1] == 'h') ? Length::hh : Length::h;
            p += (len == Length::hh) ? 2 : 1;
        } else if (*p == 'l') {
            len = (p[1] == 'l') ? Length::ll : Length::l;
            p += (len == Length::ll) ? 2 : 1;
        } else if (*p == 'z') {
            len = Length::z;
            ++p;
        }

        char conv = *p;
        if (conv == '\0') { // a lone '%' at the end: print it
            out.put(conv_start, size_t(p - conv_start));
            break;
        }
        ++p;
        switch (conv) {
        case '%':
            out.put("%", 1);
            break;
        case 'c': {
            char c = char(va_arg(ap, int));
            if (!spec.left) out.pad(' ', spec.width - 1);
            out.put(&c, 1);
            if (spec.left) out.pad(' ', spec.width - 1);
            break;
        }
        case 's': {
            const char* s = va_arg(ap, const char*);
            if (!s) s = "(null)";
            size_t n = cstr_len(s, spec.precision);
            if (!spec.left) out.pad(' ', spec.width - int(n));
            out.put(s, n);
            if (spec.left) out.pad(' ', spec.width - int(n));
            break;
        }
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o':
        case 'b':
        case 'p': {
            uint64_t mag;
            bool negative = false;
            if (conv == 'p') {
                mag = uintptr_t(va_arg(ap, void*));
                spec.base = 16;
                spec.alt = false;
                spec.zero = true;
                spec.width = 16; // "0x" + 16 digits, so addresses line up in dumps
                out.put("0x", 2);
            } else if (conv == 'd' || conv == 'i') {
                int64_t v;
                switch (len) {
                case Length::l:
                    v = va_arg(ap, long);
                    break;
                case Length::ll:
                    v = va_arg(ap, long long);
                    break;
                case Length::z:
                    v = int64_t(va_arg(ap, size_t));
                    break;
                case Length::hh:
                    v = (signed char)va_arg(ap, int);
                    break;
                case Length::h:
                    v = short(va_arg(ap, int));
                    break;
                default:
                    v = va_arg(ap, int);
                    break;
                }
                spec.is_signed = true;
                negative = v < 0;
                mag = negative ? uint64_t(0) - uint64_t(v) : uint64_t(v);
            } else {
                switch (len) {
                case Length::l:
                    mag = va_arg(ap, unsigned long);
                    break;
                case Length::ll:
                    mag = va_arg(ap, unsigned long long);
                    break;
                case Length::z:
                    mag = va_arg(ap, size_t);
                    break;
                case Length::hh:
                    mag = (unsigned char)va_arg(ap, unsigned);
                    break;
                case Length::h:
                    mag = (unsigned short)va_arg(ap, unsigned);
                    break;
                default:
                    mag = va_arg(ap, unsigned);
                    break;
                }
                spec.base = conv == 'o' ? 8 : conv == 'b' ? 2 : (conv == 'u' ? 10 : 16);
                spec.upper = conv == 'X';
            }
            char buf[FORMAT_INT_BUFSIZE];
            size_t n = format_integer(buf, mag, negative, spec);
            out.put(buf, n < sizeof buf ? n : sizeof buf);
            break;
        }
        default: // unknown conversion: show it verbatim so the mistake is visible
            out.put(conv_start, size_t(p - conv_start));
            break;
        }
    }
    return out.count;
}

} // namespace kern
