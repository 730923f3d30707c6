// A single-producer, single-consumer ring of fixed-size slots in shared memory (protocol.h's
// RingControl followed by SLOTS slots), for a peer that may not be trusted.
//
//   producer: copy the message into slot[head % SLOTS], then publish head + 1 (release)
//   consumer: see head (acquire), copy slot[tail % SLOTS] out, then free it: tail + 1 (release)
//
// Each side keeps its own index privately and only *writes* it to shared memory: whatever the
// other side scribbles into the region, a side never takes its own position from there. What
// it reads of the other side's index is checked: a producer that sees more than SLOTS slots in
// use, or a consumer that sees more than SLOTS ready, reports RingStatus::corrupt instead of
// acting on it. Messages are copied out before anyone looks at them, so a peer that changes a
// slot after publishing it changes nothing the consumer validated (no time-of-check to
// time-of-use window). Header-only, freestanding: the master kernel, vlibosd and the host
// tests use the same code.
#pragma once

#include "libos/channel/protocol.h"

namespace vlibos {

/// What a push or pop did.
enum class RingStatus : uint8_t {
    ok,      ///< a message went in or came out
    full,    ///< push: SLOTS messages are waiting for the consumer
    empty,   ///< pop: nothing to read
    corrupt, ///< the other side's index is impossible: the ring cannot be used
};

/// Name of a RingStatus, for messages.
constexpr const char* ring_status_name(RingStatus s) {
    return s == RingStatus::ok ? "ok" : s == RingStatus::full ? "full" : s == RingStatus::empty ? "empty" : "corrupt";
}

/// The producer's end of a ring of `Slot`s (Request or Response).
template <typename Slot> class RingProducer {
  public:
    static_assert(sizeof(Slot) == SLOT_BYTES);
    /// Only for arrays; use the other constructor.
    RingProducer() = default;
    /// The producer of the ring whose control block is at @p ring (slots follow it). Starts at
    /// the ring's current head (0 in a fresh region).
    explicit RingProducer(void* ring)
        : m_ctl(static_cast<RingControl*>(ring)),
          m_slots(reinterpret_cast<Slot*>(static_cast<char*>(ring) + RING_SLOTS_OFFSET)),
          m_head(__atomic_load_n(&m_ctl->head, __ATOMIC_RELAXED)) {}

    /// Copy @p msg into the ring and publish it.
    RingStatus push(const Slot& msg) {
        uint32_t tail = __atomic_load_n(&m_ctl->tail, __ATOMIC_ACQUIRE);
        uint32_t used = m_head - tail;
        if (used > SLOTS)
            return RingStatus::corrupt;
        if (used == SLOTS)
            return RingStatus::full;
        __builtin_memcpy(&m_slots[m_head & (SLOTS - 1)], &msg, sizeof msg);
        ++m_head;
        __atomic_store_n(&m_ctl->head, m_head, __ATOMIC_RELEASE); // the slot's bytes before the index
        return RingStatus::ok;
    }

    /// Messages pushed and not yet consumed, as the consumer's index says (SLOTS + 1 if corrupt).
    uint32_t in_flight() const {
        uint32_t used = m_head - __atomic_load_n(&m_ctl->tail, __ATOMIC_ACQUIRE);
        return used > SLOTS ? SLOTS + 1 : used;
    }

  private:
    RingControl* m_ctl = nullptr;
    Slot* m_slots = nullptr;
    uint32_t m_head = 0;
};

/// The consumer's end of a ring of `Slot`s.
template <typename Slot> class RingConsumer {
  public:
    static_assert(sizeof(Slot) == SLOT_BYTES);
    /// Only for arrays; use the other constructor.
    RingConsumer() = default;
    /// The consumer of the ring whose control block is at @p ring. Starts at its current tail.
    explicit RingConsumer(void* ring)
        : m_ctl(static_cast<RingControl*>(ring)),
          m_slots(reinterpret_cast<Slot*>(static_cast<char*>(ring) + RING_SLOTS_OFFSET)),
          m_tail(__atomic_load_n(&m_ctl->tail, __ATOMIC_RELAXED)) {}

    /// Copy the next message into @p out and free its slot.
    RingStatus pop(Slot& out) {
        uint32_t head = __atomic_load_n(&m_ctl->head, __ATOMIC_ACQUIRE); // then the slot's bytes
        uint32_t ready = head - m_tail;
        if (ready == 0)
            return RingStatus::empty;
        if (ready > SLOTS)
            return RingStatus::corrupt;
        __builtin_memcpy(&out, &m_slots[m_tail & (SLOTS - 1)], sizeof out);
        ++m_tail;
        __atomic_store_n(&m_ctl->tail, m_tail, __ATOMIC_RELEASE); // done with the slot
        return RingStatus::ok;
    }

  private:
    RingControl* m_ctl = nullptr;
    Slot* m_slots = nullptr;
    uint32_t m_tail = 0;
};

} // namespace vlibos
