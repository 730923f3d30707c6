// The four memory functions that the compiler may emit calls to even in freestanding code
// (GCC manual, "Standards": memcpy, memmove, memset, memcmp), plus strlen.
#include "lib/string.h"

extern "C" {

// memcpy and memset use the string instructions: one REP MOVSB/STOSB moves any length, and
// CPUs with "enhanced REP MOVSB/STOSB" (CPUID.7:EBX[9]) run them at full speed (SDM Vol 1
// 7.3.9.3). In Bochs they count as one instruction per iteration, like the loop they replace,
// but need 3-4x fewer: the Linux slave's 64 MiB of RAM is cleared and loaded with them.
void* memcpy(void* dst, const void* src, size_t n) {
    void* d = dst;
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else if (d > s) {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    void* d = dst;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (; n; --n, ++x, ++y)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(const char* a, const char* b, size_t n) {
    for (; n; --n, ++a, ++b) {
        if (*a != *b) return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
        if (!*a) return 0;
    }
    return 0;
}

} // extern "C"
