// kern::Atomic<T>: a variable that several CPUs read and write, with the memory order named at
// every access. A thin layer over the GCC __atomic builtins (no libatomic: T must be lock-free,
// i.e. 1, 2, 4 or 8 bytes). There is deliberately no implicit load or store (no operator T, no
// operator=): each use says which order it needs, and why is a comment away.
//
// Orders, as C++ defines them (on x86-64 only seq_cst stores cost more than a plain MOV):
//   relaxed  - atomicity only (counters, statistics)
//   acquire  - a load that sees a release store also sees everything written before it
//   release  - a store that publishes everything written before it
//   acq_rel  - both, for read-modify-write
//   seq_cst  - one total order of all seq_cst operations
#pragma once

namespace kern {

/// The memory orders of the __atomic builtins.
enum class MemoryOrder : int {
    relaxed = __ATOMIC_RELAXED, ///< atomicity only
    acquire = __ATOMIC_ACQUIRE, ///< loads: later accesses stay after it
    release = __ATOMIC_RELEASE, ///< stores: earlier accesses stay before it
    acq_rel = __ATOMIC_ACQ_REL, ///< read-modify-write: both
    seq_cst = __ATOMIC_SEQ_CST, ///< one total order
};

/// A T shared between CPUs (or between a thread and an interrupt handler).
template <class T> class Atomic {
    static_assert(__atomic_always_lock_free(sizeof(T), 0), "Atomic<T> needs a lock-free T");

  public:
    /// Zero-initialized.
    constexpr Atomic() : m_value{} {}
    /// Initialized to @p v (not an atomic store: before any other CPU can see it).
    constexpr explicit Atomic(T v) : m_value(v) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    /// The value; @p o is relaxed, acquire or seq_cst.
    T load(MemoryOrder o) const { return __atomic_load_n(&m_value, int(o)); }
    /// Set the value; @p o is relaxed, release or seq_cst.
    void store(T v, MemoryOrder o) { __atomic_store_n(&m_value, v, int(o)); }
    /// Set the value and return the previous one.
    T exchange(T v, MemoryOrder o) { return __atomic_exchange_n(&m_value, v, int(o)); }
    /// Add @p v and return the previous value.
    T fetch_add(T v, MemoryOrder o) { return __atomic_fetch_add(&m_value, v, int(o)); }
    /// Subtract @p v and return the previous value.
    T fetch_sub(T v, MemoryOrder o) { return __atomic_fetch_sub(&m_value, v, int(o)); }
    /// If the value is @p expected, set it to @p desired and return true; otherwise load the
    /// value into @p expected and return false (strong: no spurious failure).
    bool compare_exchange(T& expected, T desired, MemoryOrder success, MemoryOrder failure) {
        return __atomic_compare_exchange_n(&m_value, &expected, desired, false, int(success),
                                           int(failure));
    }

  private:
    T m_value;
};

} // namespace kern
