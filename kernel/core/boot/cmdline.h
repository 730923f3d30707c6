// The kernel command line: space-separated `key=value` options and bare `flag`s.
#pragma once

#include "core/boot/boot_names.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// A parsed command line. Options not in the table of known ones are reported by warn().
class CommandLine {
  public:
    /// Most options kept; more are reported and ignored.
    static constexpr size_t MAX_OPTIONS = 16;

    /// Parse `text` (copied; the original may go away), keeping the options `known` names.
    /// Unknown options, and known ones beyond MAX_OPTIONS, are passed to `warn`.
    void parse(const char* text, const BootNames& known, void (*warn)(const char* option));
    /// The value of `key=value`, or nullptr if absent (a bare flag has value "").
    const char* get(const char* key) const;
    /// The decimal value of `key=N`; @p fallback if absent, empty, not all digits or too large.
    uint64_t get_u64(const char* key, uint64_t fallback) const;
    /// Item @p index of the comma-separated `key=a,b,...` (a per-slave option), or its last
    /// item if it has fewer, into @p out (@p n bytes, cut to fit). False if `key` is absent.
    bool get_item(const char* key, unsigned index, char* out, size_t n) const;
    /// True if `key` or `key=...` was given.
    bool has(const char* key) const { return get(key) != nullptr; }

  private:
    char m_buf[256] = {};
    const char* m_keys[MAX_OPTIONS] = {};
    const char* m_values[MAX_OPTIONS] = {};
    size_t m_count = 0;
};

} // namespace kern
