#include "core/boot/cmdline.h"

#include "lib/string.h"

namespace kern {

void CommandLine::parse(const char* text, const BootNames& known,
                        void (*warn)(const char* option)) {
    size_t n = 0;
    while (text && text[n] && n < sizeof m_buf - 1) {
        m_buf[n] = text[n];
        ++n;
    }
    m_buf[n] = '\0';
    m_count = 0;
    char* p = m_buf;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p) break;
        char* key = p;
        char* value = nullptr;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '=' && !value) {
                *p = '\0';
                value = p + 1;
            }
            ++p;
        }
        if (*p) *p++ = '\0';
        if (!known.has(key) || m_count == MAX_OPTIONS) {
            if (warn) warn(key);
            continue;
        }
        m_keys[m_count] = key;
        m_values[m_count] = value ? value : "";
        ++m_count;
    }
}

const char* CommandLine::get(const char* key) const {
    for (size_t i = 0; i < m_count; ++i)
        if (strcmp(m_keys[i], key) == 0) return m_values[i];
    return nullptr;
}

bool CommandLine::get_item(const char* key, unsigned index, char* out, size_t n) const {
    const char* v = get(key);
    if (!v) return false;
    for (unsigned i = 0; i < index; ++i) {
        const char* comma = v;
        while (*comma && *comma != ',')
            ++comma;
        if (!*comma) break; // fewer items: the last one
        v = comma + 1;
    }
    size_t k = 0;
    for (; v[k] && v[k] != ',' && k + 1 < n; ++k)
        out[k] = v[k];
    if (n) out[k] = '\0';
    return true;
}

uint64_t CommandLine::get_u64(const char* key, uint64_t fallback) const {
    const char* v = get(key);
    if (!v || !*v) return fallback;
    uint64_t n = 0;
    for (; *v; ++v) {
        if (*v < '0' || *v > '9') return fallback;
        uint64_t d = uint64_t(*v - '0');
        if (n > (UINT64_MAX - d) / 10) return fallback; // would overflow
        n = n * 10 + d;
    }
    return n;
}

} // namespace kern
