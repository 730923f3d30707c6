// Console lines held back while the CPU's interrupts are off. A VM exit is handled with
// interrupts off, and a line on the UART takes milliseconds (Bochs models the transmit time:
// ~30,000 cycles for 40 characters), which the CPU's real-time threads would wait for. So the
// exit handlers' lines wait here and are printed later, with interrupts on: between exits for a
// test guest, by the parked thread for a babysat slave. Not synchronized: one CPU fills and
// empties it, with interrupts off while it touches it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// A ring of at most `LINES` lines of at most `WIDTH - 1` characters each (longer ones are cut).
template <unsigned LINES, unsigned WIDTH> class LineQueue {
  public:
    static_assert(LINES > 0 && WIDTH > 1);
    /// Append `prefix` (may be nullptr), a space if there is one, and @p n bytes of @p text as
    /// one line; if the queue is full the line is counted as dropped instead.
    void push(const char* prefix, const char* text, size_t n) {
        if (m_head - m_tail >= LINES) {
            ++m_dropped;
            return;
        }
        char* slot = m_line[m_head % LINES];
        size_t k = 0;
        for (; prefix && *prefix && k < WIDTH - 1; ++prefix)
            slot[k++] = *prefix;
        if (prefix && k < WIDTH - 1) slot[k++] = ' ';
        for (size_t i = 0; i < n && text[i] && k < WIDTH - 1; ++i)
            slot[k++] = text[i];
        slot[k] = '\0';
        ++m_head;
    }
    /// Move the oldest line into @p out (NUL-terminated); false if there is none.
    bool pop(char (&out)[WIDTH]) {
        if (m_head == m_tail) return false;
        const char* slot = m_line[m_tail % LINES];
        size_t k = 0;
        for (; slot[k]; ++k)
            out[k] = slot[k];
        out[k] = '\0';
        ++m_tail;
        return true;
    }
    /// Lines dropped since the last call, which resets the count.
    uint64_t take_dropped() {
        uint64_t d = m_dropped;
        m_dropped = 0;
        return d;
    }
    /// True if no line waits and none was dropped since take_dropped().
    bool empty() const { return m_head == m_tail && !m_dropped; }

  private:
    char m_line[LINES][WIDTH] = {};
    uint32_t m_head = 0; ///< free-running: the next line written
    uint32_t m_tail = 0; ///< free-running: the next line taken
    uint64_t m_dropped = 0;
};

} // namespace hv
