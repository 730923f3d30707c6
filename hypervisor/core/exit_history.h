// ExitHistory: a vCPU's last VM exits, kept by the run loop so that a guest that stops for an
// unexpected reason can be read backwards: what it did just before (its last 16 exits, each
// with its exit reason, qualification and RIP) is printed with its state. Pure: the run loop
// records, host tests check the ring and the lines.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// One VM exit, as the run loop saw it.
struct ExitRecord {
    uint32_t reason = 0;        ///< VM_EXIT_REASON, raw (bit 31: a failed VM entry)
    uint64_t qualification = 0; ///< EXIT_QUALIFICATION
    uint64_t rip = 0;           ///< GUEST_RIP at the exit
};

/// The last SIZE exits of a vCPU, oldest first.
class ExitHistory {
  public:
    static constexpr size_t SIZE = 16; ///< exits kept

    /// Record an exit; the oldest is forgotten once SIZE are kept.
    void record(uint32_t reason, uint64_t qualification, uint64_t rip) {
        m_ring[m_total % SIZE] = ExitRecord{reason, qualification, rip};
        ++m_total;
    }
    /// Exits kept: min(total(), SIZE).
    size_t size() const { return m_total < SIZE ? size_t(m_total) : SIZE; }
    /// Exits recorded since the vCPU was made.
    uint64_t total() const { return m_total; }
    /// The @p i-th kept exit, 0 the oldest, size() - 1 the last.
    const ExitRecord& operator[](size_t i) const { return m_ring[(m_total - size() + i) % SIZE]; }

  private:
    ExitRecord m_ring[SIZE] = {};
    uint64_t m_total = 0;
};

/// Line @p i of @p h for people, into @p buf (@p n bytes): its number counting back from the last
/// exit (the last is -1), the basic reason's name and number, "(entry failed)" if bit 31 is set,
/// the qualification and the RIP: `  -1  EPT_VIOLATION (48)  qualification 0x182  RIP 0x10004`.
/// Returns the length written.
size_t exit_history_line(const ExitHistory& h, size_t i, char* buf, size_t n);

} // namespace hv
