#include "core/test/test_table.h"

namespace kern {

namespace {
bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool same(const char* a, const char* b) {
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

void copy_bounded(char* dst, const char* src, size_t cap) {
    size_t n = 0;
    while (src && src[n] && n + 1 < cap) {
        dst[n] = src[n];
        ++n;
    }
    dst[n] = '\0';
}
} // namespace

bool TestTable::load(const char* text, size_t len) {
    m_count = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && text[i] != '\n')
            ++i;
        size_t n = i - start;
        bool last_empty = n == 0 && i + 1 >= len; // a final '\n'
        if (i < len) ++i;                         // the '\n'
        if (last_empty) break;
        if (n == 0 || n >= MAX_NAME || m_count == MAX_TESTS) {
            m_count = 0;
            return false;
        }
        Entry& e = m_tests[m_count];
        for (size_t k = 0; k < n; ++k) {
            if (!name_char(text[start + k])) {
                m_count = 0;
                return false;
            }
            e.name[k] = text[start + k];
        }
        e.name[n] = '\0';
        for (size_t k = 0; k < m_count; ++k) {
            if (same(m_tests[k].name, e.name)) {
                m_count = 0;
                return false;
            }
        }
        e.reason[0] = '\0';
        e.outcome = Outcome::pending;
        e.told = false;
        ++m_count;
    }
    return m_count > 0;
}

bool TestTable::record(const char* name, bool pass, const char* reason) {
    for (size_t i = 0; i < m_count; ++i) {
        Entry& e = m_tests[i];
        if (!same(e.name, name)) continue;
        if (e.outcome != Outcome::pending) return false;
        e.outcome = pass ? Outcome::pass : Outcome::fail;
        copy_bounded(e.reason, pass ? "" : reason, MAX_REASON);
        return true;
    }
    return false;
}

int TestTable::next_in_order() {
    for (size_t i = 0; i < m_count; ++i) {
        if (m_tests[i].told) continue;
        if (m_tests[i].outcome == Outcome::pending) return -1;
        m_tests[i].told = true;
        return int(i);
    }
    return -1;
}

int TestTable::next_reported() {
    for (size_t i = 0; i < m_count; ++i) {
        if (!m_tests[i].told && m_tests[i].outcome != Outcome::pending) {
            m_tests[i].told = true;
            return int(i);
        }
    }
    return -1;
}

int TestTable::next_untold() {
    for (size_t i = 0; i < m_count; ++i) {
        Entry& e = m_tests[i];
        if (e.told) continue;
        if (e.outcome == Outcome::pending) {
            e.outcome = Outcome::fail;
            copy_bounded(e.reason, "not reported by the end of the run", MAX_REASON);
        }
        e.told = true;
        return int(i);
    }
    return -1;
}

} // namespace kern
