// A spinlock for thread context that leaves interrupts ON while held.
//
// Spinlock (sync/spinlock.h) disables interrupts, which is right for the short sections that
// interrupt handlers also enter (scheduler queues, IPI mailboxes), but wrong for long ones: a
// real-time thread's timer interrupt would wait behind a UART line or a frame-bitmap scan.
// ThreadLock is for data that interrupt handlers never touch (the console, the frame
// allocator). The price: a thread that wants the lock while a preempted thread of its own CPU
// holds it spins until the scheduler lets the holder finish (its time slice or budget ends).
#pragma once

#include <stdint.h>

namespace kern {

/// A test-and-test-and-set lock that does not touch the interrupt flag. Not recursive.
class ThreadLock {
  public:
    /// Take the lock, spinning.
    void lock() {
        while (__atomic_exchange_n(&m_locked, 1, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&m_locked, __ATOMIC_RELAXED))
                __builtin_ia32_pause();
    }
    /// Release it.
    void unlock() { __atomic_store_n(&m_locked, 0, __ATOMIC_RELEASE); }

  private:
    uint32_t m_locked = 0;
};

/// Holds a ThreadLock for a scope.
class ThreadLockGuard {
  public:
    /// Take `l`.
    explicit ThreadLockGuard(ThreadLock& l) : m_lock(l) { m_lock.lock(); }
    ~ThreadLockGuard() { m_lock.unlock(); }
    ThreadLockGuard(const ThreadLockGuard&) = delete;
    ThreadLockGuard& operator=(const ThreadLockGuard&) = delete;

  private:
    ThreadLock& m_lock;
};

} // namespace kern
