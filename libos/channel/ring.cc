// Lab 8: the ring operations. The layout is in protocol.h (RingControl, then SLOTS slots of
// SLOT_BYTES), the rules in ring.h's comment. Both sides of the channel run this code: the
// master kernel and vlibosd in Linux.
//
// ring_push(ctl, slots, head, msg), the producer (head is its private index):
//   1. read the consumer's tail with acquire ordering (__atomic_load_n(..., __ATOMIC_ACQUIRE)):
//      the slots it has freed are then really free;
//   2. used = head - tail (unsigned: the counters wrap); more than SLOTS is impossible from an
//      honest consumer: RingStatus::corrupt; exactly SLOTS: RingStatus::full;
//   3. copy SLOT_BYTES from msg into slot (head % SLOTS) (SLOTS is a power of two: & (SLOTS - 1));
//   4. ++head, then publish it with release ordering (__atomic_store_n(..., __ATOMIC_RELEASE)),
//      so the consumer never sees the index before the slot's bytes. RingStatus::ok.
//
// ring_pop(ctl, slots, tail, out), the consumer (tail is its private index):
//   1. read the producer's head with acquire ordering;
//   2. ready = head - tail; 0: RingStatus::empty; more than SLOTS: RingStatus::corrupt;
//   3. copy SLOT_BYTES of slot (tail % SLOTS) into out: from now on only the copy is looked at;
//   4. ++tail, publish it with release ordering (the slot may be reused). RingStatus::ok.
//
// Never read your own index back from shared memory: the peer could have changed it.
#include "libos/channel/ring.h"

namespace vlibos {

RingStatus ring_push(RingControl* ctl, void* slots, uint32_t& head, const void* msg) {
    // TODO(lab8): the producer's side, as described above.
    (void)ctl;
    (void)slots;
    (void)head;
    (void)msg;
    return RingStatus::corrupt;
}

RingStatus ring_pop(RingControl* ctl, const void* slots, uint32_t& tail, void* out) {
    // TODO(lab8): the consumer's side, as described above.
    (void)ctl;
    (void)slots;
    (void)tail;
    (void)out;
    return RingStatus::corrupt;
}

} // namespace vlibos
