// Lab 3 solution: the scheduler's queues (contracts in core/thread/thread_queue.h).
#include "core/thread/thread_queue.h"

namespace kern {

void FifoQueue::push_back(QueueNode* n) {
    n->next = nullptr;
    n->queued = true;
    if (m_tail)
        m_tail->next = n;
    else
        m_head = n;
    m_tail = n;
    ++m_size;
}

QueueNode* FifoQueue::pop_front() {
    QueueNode* n = m_head;
    if (!n) return nullptr;
    m_head = n->next;
    if (!m_head) m_tail = nullptr;
    n->next = nullptr;
    n->queued = false;
    --m_size;
    return n;
}

bool FifoQueue::remove(QueueNode* n) {
    QueueNode* prev = nullptr;
    for (QueueNode* p = m_head; p; prev = p, p = p->next) {
        if (p != n) continue;
        (prev ? prev->next : m_head) = n->next;
        if (m_tail == n) m_tail = prev;
        n->next = nullptr;
        n->queued = false;
        --m_size;
        return true;
    }
    return false;
}

void SleepQueue::insert(QueueNode* n, uint64_t wake_at) {
    n->key = wake_at;
    n->queued = true;
    QueueNode** link = &m_head;
    while (*link && (*link)->key <= wake_at)
        link = &(*link)->next;
    n->next = *link;
    *link = n;
}

QueueNode* SleepQueue::pop_due(uint64_t now) {
    QueueNode* n = m_head;
    if (!n || n->key > now) return nullptr;
    m_head = n->next;
    n->next = nullptr;
    n->queued = false;
    return n;
}

bool SleepQueue::remove(QueueNode* n) {
    for (QueueNode** link = &m_head; *link; link = &(*link)->next) {
        if (*link != n) continue;
        *link = n->next;
        n->next = nullptr;
        n->queued = false;
        return true;
    }
    return false;
}

uint64_t SleepQueue::next_wakeup() const {
    return m_head ? m_head->key : UINT64_MAX;
}

} // namespace kern
