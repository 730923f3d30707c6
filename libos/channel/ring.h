// A single-producer, single-consumer ring of fixed-size slots in shared memory (protocol.h's
// RingControl followed by SLOTS slots), for a peer that may not be trusted. The two operations
// are ring_push() and ring_pop() (ring.cc, lab 8); RingProducer and RingConsumer hold a side's
// private index and pass it to them.
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
// time-of-use window). Freestanding: the master kernel, vlibosd and the host tests use the same
// code.
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
    return s == RingStatus::ok      ? "ok"
           : s == RingStatus::full  ? "full"
           : s == RingStatus::empty ? "empty"
                                    : "corrupt";
}

/// The two operations (ring.cc, lab 8). @p ctl is the ring's control block, @p slots its SLOTS
/// slots of SLOT_BYTES; @p index is the caller's private copy of its own index (head for push,
/// tail for pop), advanced on success. Rules in the file comment above.
/// @{
RingStatus ring_push(RingControl* ctl, void* slots, uint32_t& head, const void* msg);
RingStatus ring_pop(RingControl* ctl, const void* slots, uint32_t& tail, void* out);
/// @}

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
          m_slots(static_cast<char*>(ring) + RING_SLOTS_OFFSET),
          m_head(__atomic_load_n(&m_ctl->head, __ATOMIC_RELAXED)) {}

    /// Copy @p msg into the ring and publish it.
    RingStatus push(const Slot& msg) { return ring_push(m_ctl, m_slots, m_head, &msg); }

    /// Messages pushed and not yet consumed, as the consumer's index says (SLOTS + 1 if corrupt).
    uint32_t in_flight() const {
        uint32_t used = m_head - __atomic_load_n(&m_ctl->tail, __ATOMIC_ACQUIRE);
        return used > SLOTS ? SLOTS + 1 : used;
    }

  private:
    RingControl* m_ctl = nullptr;
    void* m_slots = nullptr;
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
          m_slots(static_cast<char*>(ring) + RING_SLOTS_OFFSET),
          m_tail(__atomic_load_n(&m_ctl->tail, __ATOMIC_RELAXED)) {}

    /// Copy the next message into @p out and free its slot.
    RingStatus pop(Slot& out) { return ring_pop(m_ctl, m_slots, m_tail, &out); }

    /// Whether the producer seems to have published something not yet popped: a hint, for a
    /// thread that does not own this end (it decides whether to wake the owner, who pops and
    /// checks). Never acts on the slots.
    bool ready_hint() const {
        return m_ctl && __atomic_load_n(&m_ctl->head, __ATOMIC_ACQUIRE) !=
                            __atomic_load_n(&m_tail, __ATOMIC_RELAXED);
    }

  private:
    RingControl* m_ctl = nullptr;
    const void* m_slots = nullptr;
    uint32_t m_tail = 0;
};

} // namespace vlibos
