#include "sync/spinlock.h"

#include "arch/x86_64/cpu.h"

namespace kern {

void Spinlock::lock() {
    uint64_t flags = cpu::irq_save();
    while (__atomic_exchange_n(&m_locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&m_locked, __ATOMIC_RELAXED))
            cpu::pause();
    }
    m_saved_rflags = flags;
}

void Spinlock::unlock() {
    uint64_t flags = m_saved_rflags;
    __atomic_store_n(&m_locked, 0, __ATOMIC_RELEASE);
    cpu::irq_restore(flags);
}

} // namespace kern
