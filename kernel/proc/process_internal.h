// What process.cc and syscalls.cc share; not for the rest of the kernel.
#pragma once

#include "core/mem/page_table.h"
#include "core/result.h"
#include "proc/process.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

struct Thread;
struct Vcpu;

/// A user process.
struct Process {
    static constexpr unsigned MAX_VCPUS = 8; ///< VCPUs one process may create
    uint32_t pid = 0;                        ///< process id
    char name[32] = {};                      ///< from the module string
    PageTable pt;                            ///< its address space
    uint64_t* pages = nullptr;               ///< user pages mapped, to free at the end
    size_t page_count = 0;                   ///< entries used in pages
    size_t page_capacity = 0;                ///< entries allocated in pages
    volatile unsigned live_threads = 0;      ///< threads not yet exited
    volatile bool killed = false;            ///< ending: threads leave at their next kernel entry
    bool killed_by_fault = false;            ///< ended by an exception
    int status = 0;                          ///< exit status
    Vcpu* vcpus[MAX_VCPUS] = {};             ///< VCPUs it created (handles are indexes)
    unsigned vcpu_count = 0;                 ///< entries used in vcpus
};

/// Map `bytes` of fresh zeroed user memory at `va` (page-aligned).
Result<void> process_map_zeroed(Process& p, uint64_t va, uint64_t bytes, bool writable,
                                bool executable);
/// Copy kernel bytes into the process's memory; false if any page is not mapped user-accessible.
bool copy_to_user(Process& p, uint64_t va, const uint8_t* src, uint64_t n);
/// Copy from the process's memory; false if any page is not mapped user-accessible.
bool copy_from_user(Process& p, uint8_t* dst, uint64_t va, uint64_t n);
/// Start another user thread in `p`.
Result<Thread*> process_thread_create(Process& p, uint64_t rip, uint64_t rsp, uint64_t arg,
                                      Vcpu* vcpu, unsigned cpu);
/// End the calling thread of `p`; the last one ends the process.
[[noreturn]] void process_thread_exit(Process& p);

} // namespace kern
