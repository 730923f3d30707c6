// snformat() and vsnformat(): formatting into a buffer, through the parser (format.cc).
#include "core/format.h"

namespace kern {

namespace {
struct BufferSink {
    char* buf;
    size_t cap;
    size_t used;
};
void buffer_put(void* ctx, const char* s, size_t n) {
    auto* b = static_cast<BufferSink*>(ctx);
    for (size_t i = 0; i < n; ++i, ++b->used)
        if (b->cap && b->used < b->cap - 1) b->buf[b->used] = s[i];
}
} // namespace

size_t vsnformat(char* buf, size_t cap, const char* fmt, va_list ap) {
    BufferSink b{buf, cap, 0};
    size_t n = vformat(FormatSink{buffer_put, &b}, fmt, ap);
    if (cap) buf[n < cap - 1 ? n : cap - 1] = '\0';
    return n;
}

size_t snformat(char* buf, size_t cap, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vsnformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace kern
