// Lab 8 solution: the ring operations (rules in ring.h).
#include "libos/channel/ring.h"

namespace vlibos {

RingStatus ring_push(RingControl* ctl, void* slots, uint32_t& head, const void* msg) {
    uint32_t tail = __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE);
    uint32_t used = head - tail;
    if (used > SLOTS) return RingStatus::corrupt;
    if (used == SLOTS) return RingStatus::full;
    __builtin_memcpy(static_cast<char*>(slots) + (head & (SLOTS - 1)) * SLOT_BYTES, msg,
                     SLOT_BYTES);
    ++head;
    __atomic_store_n(&ctl->head, head, __ATOMIC_RELEASE); // the slot's bytes before the index
    return RingStatus::ok;
}

RingStatus ring_pop(RingControl* ctl, const void* slots, uint32_t& tail, void* out) {
    uint32_t head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE); // then the slot's bytes
    uint32_t ready = head - tail;
    if (ready == 0) return RingStatus::empty;
    if (ready > SLOTS) return RingStatus::corrupt;
    __builtin_memcpy(out, static_cast<const char*>(slots) + (tail & (SLOTS - 1)) * SLOT_BYTES,
                     SLOT_BYTES);
    ++tail;
    __atomic_store_n(&ctl->tail, tail, __ATOMIC_RELEASE); // done with the slot
    return RingStatus::ok;
}

} // namespace vlibos
