// Processes: address spaces built with lab 1's PageTable, ELF loading, user threads, exit and
// kill. System calls are in proc/syscalls.cc.
#include "proc/process.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/trap_frame.h"
#include "console/console.h"
#include "core/abi/syscall.h"
#include "core/elf/elf_loader.h"
#include "core/format.h"
#include "core/mem/pte.h"
#include "hooks.h"
#include "lib/string.h"
#include "mem/kmalloc.h"
#include "mem/memory.h"
#include "panic.h"
#include "platform.h"
#include "proc/process_internal.h"
#include "sched/thread.h"
#include "sched/vcpu.h"
#include "sync/spinlock.h"
#include "test/report.h"

extern "C" [[noreturn]] void enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);

namespace kern {

namespace {
constexpr uint64_t USER_STACK_TOP = abi::USER_END - 0x1000; // a guard page above
constexpr uint64_t USER_STACK_SIZE = 64 * 1024;
Spinlock g_proc_lock;
uint32_t g_next_pid = 1;
volatile unsigned g_live_processes;
volatile unsigned g_failed_processes;
unsigned g_refused_modules;

struct UserStart {
    uint64_t rip, rsp, arg;
};

void user_thread_main(void* p) {
    UserStart s = *static_cast<UserStart*>(p);
    delete static_cast<UserStart*>(p);
    enter_user(s.rip, s.rsp, s.arg);
}

/// Loads ELF segments into a process through lab 1's PageTable.
struct ProcessSink final : SegmentSink {
    Process& p;
    explicit ProcessSink(Process& proc) : p(proc) {}
    Result<void> map_zeroed(uint64_t va, uint64_t bytes, bool writable, bool executable) override {
        return process_map_zeroed(p, va, bytes, writable, executable);
    }
    Result<void> copy_to(uint64_t va, const uint8_t* src, uint64_t n) override {
        return copy_to_user(p, va, src, n)
                   ? Result<void>{}
                   : Result<void>{Error{Errc::invalid_argument, "copy to an unmapped page"}};
    }
};

/// Free the page-table frames below `table` at `level` (4 = PML4) for user slots only.
void free_tables(uint64_t table, int level) {
    auto* e = static_cast<uint64_t*>(kernel_phys_access().to_virt(table));
    unsigned first = level == 4 ? 1 : 0;    // PML4 slot 0 is the kernel's, shared
    unsigned last = level == 4 ? 256 : 512; // only the lower (user) half
    for (unsigned i = first; i < last; ++i) {
        Pte pte(e[i]);
        if (!pte.present() || pte.huge()) continue;
        if (level > 2) free_tables(pte.address(), level - 1);
        frame_free(pte.address()); // a PDPT, PD or PT: the leaf pages were freed already
    }
}

void destroy(Process& p) {
    // Leave this address space before tearing it down.
    cpu::write_cr3(kernel_page_table().root());
    for (size_t i = 0; i < p.page_count; ++i) {
        if (auto pa = p.pt.unmap(p.pages[i]); pa.ok()) frame_free(pa.value());
    }
    kfree(p.pages);
    free_tables(p.pt.root(), 4);
    frame_free(p.pt.root());
}
} // namespace

uint64_t process_root(const Process& p) {
    return p.pt.root();
}

Result<void> process_map_zeroed(Process& p, uint64_t va, uint64_t bytes, bool writable,
                                bool executable) {
    uint64_t flags = Pte::PRESENT | Pte::USER | (writable ? Pte::WRITABLE : 0) |
                     (executable ? 0 : Pte::NO_EXECUTE);
    for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
        if (p.page_count == p.page_capacity) {
            size_t cap = p.page_capacity ? p.page_capacity * 2 : 64;
            auto* bigger = static_cast<uint64_t*>(kmalloc(cap * sizeof(uint64_t)));
            if (p.pages) memcpy(bigger, p.pages, p.page_count * sizeof(uint64_t));
            kfree(p.pages);
            p.pages = bigger;
            p.page_capacity = cap;
        }
        uint64_t pa = TRY(frame_alloc());
        memset(kernel_phys_access().to_virt(pa), 0, PAGE_SIZE);
        if (auto r = p.pt.map(va + off, pa, flags); !r.ok()) {
            frame_free(pa);
            return r.error();
        }
        p.pages[p.page_count++] = va + off;
    }
    return {};
}

Result<Process*> process_spawn(const uint8_t* elf, size_t size, const char* name,
                               const char* args) {
    ElfLimits limits{abi::USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, 256ull << 20};
    ElfImage image = TRY(elf_parse(elf, size, limits));
    auto* p = new Process;
    p->pt = TRY(PageTable::create(kernel_frame_source(), kernel_phys_access()));
    // Share the kernel's identity map (PML4 slot 0, supervisor-only) so the kernel runs in
    // every address space.
    auto* pml4 = static_cast<uint64_t*>(kernel_phys_access().to_virt(p->pt.root()));
    auto* kpml4 = static_cast<uint64_t*>(kernel_phys_access().to_virt(kernel_page_table().root()));
    pml4[0] = kpml4[0];
    for (size_t i = 0; name[i] && i < sizeof p->name - 1; ++i)
        p->name[i] = name[i];
    {
        SpinlockGuard g(g_proc_lock);
        p->pid = g_next_pid++;
    }
    ProcessSink sink(*p);
    Result<void> loaded = elf_load(image, elf, sink);
    if (loaded.ok())
        loaded =
            process_map_zeroed(*p, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, true, false);
    // The argument string at the top of the stack; RSP 16-byte aligned below it.
    size_t len = args ? strlen(args) : 0;
    if (len > 1024) len = 1024;
    uint64_t args_va = (USER_STACK_TOP - len - 1) & ~uint64_t(15);
    if (loaded.ok() &&
        (!copy_to_user(*p, args_va, reinterpret_cast<const uint8_t*>(args ? args : ""), len) ||
         !copy_to_user(*p, args_va + len, reinterpret_cast<const uint8_t*>(""), 1)))
        loaded = Error{Errc::no_memory, "cannot place the arguments"};
    if (!loaded.ok()) {
        destroy(*p);
        delete p;
        return loaded.error();
    }
    auto* start = new UserStart{image.entry, args_va - 8, args_va}; // as if _start were called
    p->live_threads = 1;
    __atomic_fetch_add(&g_live_processes, 1, __ATOMIC_SEQ_CST);
    ThreadOptions opts;
    opts.name = p->name;
    opts.process = p;
    opts.detached = true;
    auto t = thread_create(user_thread_main, start, opts);
    if (!t.ok()) {
        __atomic_fetch_sub(&g_live_processes, 1, __ATOMIC_SEQ_CST);
        delete start;
        destroy(*p);
        delete p;
        return t.error();
    }
    kprintf("process: started '%s' (pid %u), entry %#lx, %zu pages\n", p->name, p->pid, image.entry,
            p->page_count);
    return p;
}

Result<Thread*> process_thread_create(Process& p, uint64_t rip, uint64_t rsp, uint64_t arg,
                                      Vcpu* vcpu, unsigned cpu) {
    auto* start = new UserStart{rip, rsp, arg};
    __atomic_fetch_add(&p.live_threads, 1, __ATOMIC_SEQ_CST);
    ThreadOptions opts;
    opts.name = p.name;
    opts.process = &p;
    opts.detached = true;
    opts.vcpu = vcpu;
    opts.cpu = cpu;
    auto t = thread_create(user_thread_main, start, opts);
    if (!t.ok()) {
        __atomic_fetch_sub(&p.live_threads, 1, __ATOMIC_SEQ_CST);
        delete start;
    }
    return t;
}

void process_thread_exit(Process& p) {
    if (__atomic_sub_fetch(&p.live_threads, 1, __ATOMIC_SEQ_CST) == 0) {
        bool failed = p.killed_by_fault || p.status != 0;
        char line[96];
        snformat(line, sizeof line, "process name=%s pid=%u status=%d%s", p.name, p.pid, p.status,
                 p.killed_by_fault ? " killed=fault" : "");
        report_line(line);
        for (unsigned i = 0; i < p.vcpu_count; ++i)
            vcpu_destroy(*p.vcpus[i]);
        destroy(p);
        delete &p;
        if (failed) __atomic_fetch_add(&g_failed_processes, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_sub(&g_live_processes, 1, __ATOMIC_SEQ_CST);
    }
    thread_exit();
}

void process_fault(TrapFrame& f) {
    Thread* t = current_thread();
    Process* p = t->process;
    if (!p) PANIC("user-mode exception in a thread without a process");
    uint64_t cr2 = cpu::read_cr2();
    // The fault came from user mode, so this CPU holds no kernel lock: interrupts back on
    // before printing (the console lock may be held by a preempted thread of this CPU).
    cpu::sti();
    kprintf("process '%s' (pid %u) killed: %s at rip %#lx", p->name, p->pid, vector_name(f.vector),
            f.rip);
    if (f.vector == VEC_PF)
        kprintf(", address %#lx (%s, %s%s)", cr2,
                (f.error_code & 1) ? "protection violation" : "not present",
                (f.error_code & 0x10) ? "instruction fetch"
                : (f.error_code & 2)  ? "write"
                                      : "read",
                (f.error_code & 8) ? ", reserved bit set in a paging entry" : "");
    kprintf("\n");
    p->killed = true;
    p->killed_by_fault = true;
    p->status = 128 + int(f.vector);
    cpu::sti();
    process_thread_exit(*p);
}

void process_check_killed() {
    Thread* t = current_thread();
    if (t->process && t->process->killed) {
        cpu::sti();
        process_thread_exit(*t->process);
    }
}

namespace {
// Data modules, not programs: the names each layer registered (BOOT_DATA_MODULE), e.g. the
// Linux slave's kernel and initrd (hypervisor/slave) and the grader's list of expected tests.
bool is_data_module(const BootModule& m) {
    return boot_data_modules().names_module(m.cmdline);
}
} // namespace

size_t process_app_module_count() {
    size_t n = 0;
    for (size_t i = 0; i < g_boot.module_count; ++i)
        n += !is_data_module(g_boot.modules[i]);
    return n;
}

unsigned process_spawn_modules() {
    unsigned started = 0;
    for (size_t i = 0; i < g_boot.module_count; ++i) {
        const BootModule& m = g_boot.modules[i];
        // The module string is "name args...": the name up to the first space.
        char name[32];
        size_t n = 0;
        while (m.cmdline[n] && m.cmdline[n] != ' ' && n < sizeof name - 1) {
            name[n] = m.cmdline[n];
            ++n;
        }
        name[n] = '\0';
        const char* args = m.cmdline[n] ? m.cmdline + n + 1 : "";
        if (is_data_module(m)) continue;
        auto r = process_spawn(reinterpret_cast<const uint8_t*>(m.start), size_t(m.end - m.start),
                               name, args);
        if (!r.ok()) {
            kprintf("process: module '%s' refused: %s\n", name, r.error().what);
            char line[96];
            snformat(line, sizeof line, "process name=%s refused=1", name);
            report_line(line);
            ++g_refused_modules;
            continue;
        }
        ++started;
    }
    return started;
}

unsigned process_wait_all() {
    while (__atomic_load_n(&g_live_processes, __ATOMIC_ACQUIRE))
        sleep_until(cpu::rdtsc() + 100000);
    return g_failed_processes;
}

unsigned process_refused_count() {
    return g_refused_modules;
}

} // namespace kern
