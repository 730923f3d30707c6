// Intrusive queues of waiting things (threads): the ready queue, in FIFO order, and the sleep
// queue, ordered by wake-up time. Lab 3 asks you to write them (core/thread/thread_queue.cc).
//
// "Intrusive": the link lives inside the queued object (a QueueNode member of Thread), so
// queueing never allocates; an object is on at most one queue at a time. Pure code: the
// scheduler calls these with its lock held and interrupts off; host tests call them directly.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// The link a queued object embeds.
struct QueueNode {
    QueueNode* next = nullptr; ///< next node on the same queue, nullptr at the tail
    uint64_t key = 0;          ///< SleepQueue: the TSC time to wake at; unused by FifoQueue
    bool queued = false;       ///< on a queue right now (catches double insertion)
};

/// First in, first out: round-robin ready queues.
class FifoQueue {
  public:
    /// Append `n` at the tail. `n` must not be on any queue (n->queued false).
    void push_back(QueueNode* n);
    /// Remove and return the head, or nullptr if empty.
    QueueNode* pop_front();
    /// Remove `n` wherever it is; false if it is not on this queue.
    bool remove(QueueNode* n);
    /// The head without removing it, or nullptr.
    QueueNode* front() const { return m_head; }
    /// True if nothing is queued.
    bool empty() const { return m_head == nullptr; }
    /// Number of queued nodes.
    size_t size() const { return m_size; }

  private:
    QueueNode* m_head = nullptr;
    QueueNode* m_tail = nullptr;
    size_t m_size = 0;
};

/// Sorted by key (wake-up time), earliest first; equal keys keep insertion order, so two
/// threads that sleep until the same instant wake in the order they went to sleep.
class SleepQueue {
  public:
    /// Insert `n` with wake-up time `wake_at`. `n` must not be on any queue.
    void insert(QueueNode* n, uint64_t wake_at);
    /// Remove and return the earliest node whose key <= now, or nullptr if none is due.
    QueueNode* pop_due(uint64_t now);
    /// Remove `n`; false if it is not on this queue.
    bool remove(QueueNode* n);
    /// Earliest wake-up time, or UINT64_MAX when empty.
    uint64_t next_wakeup() const;
    /// True if nothing is queued.
    bool empty() const { return m_head == nullptr; }

  private:
    QueueNode* m_head = nullptr;
};

} // namespace kern
