// A test-and-test-and-set spinlock that also disables interrupts while held, so an interrupt
// handler on the same CPU can never spin on a lock its own CPU holds.
#pragma once

#include <stdint.h>

namespace kern {

/// A spinlock for short critical sections. Not recursive.
class Spinlock {
  public:
    /// Take the lock; interrupts are disabled until unlock() restores them.
    void lock();
    /// Release the lock and restore the interrupt flag saved by lock().
    void unlock();
    /// True if some CPU holds the lock (diagnostics only: racy by nature).
    bool is_locked() const { return __atomic_load_n(&m_locked, __ATOMIC_RELAXED) != 0; }

  private:
    uint32_t m_locked = 0;
    uint64_t m_saved_rflags = 0;
};

/// Holds a Spinlock for the lifetime of a scope.
class SpinlockGuard {
  public:
    /// Take `l`.
    explicit SpinlockGuard(Spinlock& l) : m_lock(l) { m_lock.lock(); }
    ~SpinlockGuard() { m_lock.unlock(); }
    SpinlockGuard(const SpinlockGuard&) = delete;
    SpinlockGuard& operator=(const SpinlockGuard&) = delete;

  private:
    Spinlock& m_lock;
};

} // namespace kern
