// Lab 3: the scheduler's FIFO and sleep queues.
#include "core/thread/thread_queue.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace kern;

TEST_CASE("FIFO queue keeps order and supports removal", "[lab3]") {
    QueueNode n[4];
    FifoQueue q;
    CHECK(q.empty());
    for (auto& x : n)
        q.push_back(&x);
    CHECK(q.size() == 4);
    CHECK(n[2].queued);
    CHECK(q.remove(&n[2]));
    CHECK_FALSE(n[2].queued);
    CHECK(n[2].next == nullptr); // a removed node keeps no link into the queue
    CHECK_FALSE(q.remove(&n[2]));
    CHECK(q.pop_front() == &n[0]);
    CHECK(n[0].next == nullptr);
    CHECK(q.pop_front() == &n[1]);
    q.push_back(&n[0]);
    CHECK(q.pop_front() == &n[3]);
    CHECK(q.pop_front() == &n[0]);
    CHECK(q.pop_front() == nullptr);
    CHECK(q.empty());
    CHECK(q.size() == 0);
}

TEST_CASE("FIFO queue: removing the tail keeps appends working", "[lab3]") {
    QueueNode a, b, c;
    FifoQueue q;
    q.push_back(&a);
    q.push_back(&b);
    CHECK(q.remove(&b));
    q.push_back(&c);
    CHECK(q.pop_front() == &a);
    CHECK(q.pop_front() == &c);
    CHECK(q.empty());
}

TEST_CASE("sleep queue wakes in time order, ties in insertion order", "[lab3]") {
    QueueNode n[5];
    SleepQueue s;
    CHECK(s.next_wakeup() == UINT64_MAX);
    s.insert(&n[0], 300);
    s.insert(&n[1], 100);
    s.insert(&n[2], 200);
    s.insert(&n[3], 100);
    s.insert(&n[4], 500);
    CHECK(s.next_wakeup() == 100);
    CHECK(s.pop_due(99) == nullptr);
    CHECK(s.pop_due(100) == &n[1]);
    CHECK(s.pop_due(100) == &n[3]);
    CHECK(s.pop_due(150) == nullptr);
    CHECK(s.remove(&n[0]));
    CHECK_FALSE(n[0].queued);
    CHECK(s.pop_due(1000) == &n[2]);
    CHECK(s.pop_due(1000) == &n[4]);
    CHECK(s.empty());
}
