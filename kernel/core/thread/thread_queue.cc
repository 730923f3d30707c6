// Lab 3: the scheduler's queues. Contracts in core/thread/thread_queue.h.
//
// Keep every operation O(1) except where the contract needs a search (remove, and the sorted
// insert of the sleep queue). Set `queued` when a node goes on a queue and clear it (and
// `next`) when it leaves, so that a node put on two queues at once is caught: the scheduler
// turns that into a panic instead of a corrupted list.
#include "core/thread/thread_queue.h"

namespace kern {

void FifoQueue::push_back(QueueNode* n) {
    // TODO(lab3)
    (void)n;
}

QueueNode* FifoQueue::pop_front() {
    // TODO(lab3)
    return nullptr;
}

bool FifoQueue::remove(QueueNode* n) {
    // TODO(lab3)
    (void)n;
    return false;
}

void SleepQueue::insert(QueueNode* n, uint64_t wake_at) {
    // TODO(lab3): keep the list sorted by key; after existing nodes with the same key.
    (void)n;
    (void)wake_at;
}

QueueNode* SleepQueue::pop_due(uint64_t now) {
    // TODO(lab3)
    (void)now;
    return nullptr;
}

bool SleepQueue::remove(QueueNode* n) {
    // TODO(lab3)
    (void)n;
    return false;
}

uint64_t SleepQueue::next_wakeup() const {
    // TODO(lab3)
    return UINT64_MAX;
}

} // namespace kern
