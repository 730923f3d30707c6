// User processes: master applications in ring 3, each in its own address space, loaded from
// multiboot2 modules (ELF64, static, linked at abi::USER_BASE or above).
//
// A fault in user code ends that process with a report; the kernel and other processes go on.
#pragma once

#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

struct Process;
struct TrapFrame;

/// Load the ELF image `elf` (`size` bytes) as a new process named `name`, copy `args` to its
/// stack and start its first thread at the ELF entry with RDI = the args string. Malformed
/// images are refused with the loader's reason.
Result<Process*> process_spawn(const uint8_t* elf, size_t size, const char* name, const char* args);
/// Start every multiboot2 module as a process (the module's string: "name args..."). Returns
/// how many started.
unsigned process_spawn_modules();
/// Boot modules that are master applications (not data modules: BOOT_DATA_MODULE, hooks.h).
size_t process_app_module_count();
/// Wait until every process has ended; returns the number that ended with a nonzero status or
/// were killed (their `@@ process` lines say which).
unsigned process_wait_all();
/// Modules that could not be started (malformed ELF, no memory).
unsigned process_refused_count();
/// The PML4 of `p` (for CR3).
uint64_t process_root(const Process& p);
/// Called by the trap dispatcher for an exception in user mode: report and end the process.
[[noreturn]] void process_fault(TrapFrame& f);
/// Called before returning to user mode from an interrupt: a thread of a killed process ends
/// here instead.
void process_check_killed();

/// System-call numbers the master does not implement go here if a layer above (libos/)
/// registered a handler; it returns the result or -ENOSYS.
using SyscallFallback = int64_t (*)(uint64_t nr, const uint64_t args[6]);
/// Register the fallback (one at a time; nullptr removes it).
void syscall_set_fallback(SyscallFallback fn);

/// For system-call handlers (the fallback included): copy between the calling thread's user
/// memory and the kernel. False if any byte is not mapped user-accessible (then report -EFAULT).
/// @{
bool user_copy_in(void* dst, uint64_t va, uint64_t n);
bool user_copy_out(uint64_t va, const void* src, uint64_t n);
/// @}
/// Copy a NUL-terminated user string of at most @p cap bytes (NUL included) into @p dst: its
/// length, -1 if a byte is not mapped (-EFAULT), -2 if no NUL came within @p cap bytes.
int64_t user_copy_string_in(char* dst, uint64_t va, uint64_t cap);

} // namespace kern
