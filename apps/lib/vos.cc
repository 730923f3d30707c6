#include "vos.h"

#include "core/format.h"

extern "C" {
// The freestanding compiler may emit calls to these.
void* memcpy(void* d, const void* s, size_t n) {
    auto* a = static_cast<unsigned char*>(d);
    auto* b = static_cast<const unsigned char*>(s);
    while (n--)
        *a++ = *b++;
    return d;
}
void* memset(void* d, int c, size_t n) {
    auto* a = static_cast<unsigned char*>(d);
    while (n--)
        *a++ = static_cast<unsigned char>(c);
    return d;
}

[[noreturn]] void vos_exit(int status) {
    vos::syscall(kern::abi::SYS_EXIT, uint64_t(status));
    __builtin_unreachable();
}

// Global constructors (.init_array, collected by app.ld) run before app_main.
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

int vos_main(const char* args) {
    for (auto* c = __init_array_start; c < __init_array_end; ++c)
        (*c)();
    return app_main(args);
}

void vos_thread_return() {
    vos::thread_exit();
}
}

namespace vos {

void thread_exit() {
    syscall(kern::abi::SYS_THREAD_EXIT);
    __builtin_unreachable();
}

namespace {
struct Buffer {
    char data[512];
    size_t n = 0;
};
void buffer_put(void* ctx, const char* s, size_t n) {
    auto* b = static_cast<Buffer*>(ctx);
    for (size_t i = 0; i < n; ++i) {
        if (b->n == sizeof b->data) {
            write(b->data, b->n);
            b->n = 0;
        }
        b->data[b->n++] = s[i];
    }
}
} // namespace

void printf(const char* fmt, ...) {
    Buffer b; // one write per call keeps lines whole
    va_list ap;
    va_start(ap, fmt);
    kern::vformat(kern::FormatSink{buffer_put, &b}, fmt, ap);
    va_end(ap);
    write(b.data, b.n);
}

namespace {
// Find `key` as a whole word at the start of an argument; return what follows it.
const char* find(const char* args, const char* key) {
    for (const char* p = args; p && *p;) {
        while (*p == ' ')
            ++p;
        const char* k = key;
        const char* q = p;
        while (*k && *q == *k)
            ++k, ++q;
        if (!*k && (*q == '=' || *q == ' ' || *q == '\0')) return q;
        while (*p && *p != ' ')
            ++p;
    }
    return nullptr;
}
} // namespace

uint64_t arg_u64(const char* args, const char* key, uint64_t def) {
    const char* v = find(args, key);
    if (!v || *v != '=') return def;
    uint64_t n = 0;
    for (++v; *v >= '0' && *v <= '9'; ++v)
        n = n * 10 + uint64_t(*v - '0');
    return n;
}

bool arg_flag(const char* args, const char* word) {
    return find(args, word) != nullptr;
}

} // namespace vos
