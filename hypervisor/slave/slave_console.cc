// The slave's console lines: printed on the master's console as "[linux] ...", and watched for
// what the master reports about the slave (SlaveResult: the userspace marker, a panic, the kit's
// programs' verdicts).
#include "hypervisor/slave/slave_vm.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "lib/string.h"

namespace hv {

namespace {

/// True if `line` contains `word`. Each line is searched for some fifteen words, with the
/// slave's exit handling waiting: the first character is compared before calling strncmp.
bool contains(const char* line, const char* word) {
    size_t n = strlen(word);
    for (; *line; ++line)
        if (*line == *word && strncmp(line, word, n) == 0) return true;
    return false;
}

/// Copy @p n bytes of @p line into @p dst (@p size bytes, NUL-terminated).
void keep_line(char* dst, size_t size, const char* line, size_t n) {
    size_t k = n < size - 1 ? n : size - 1;
    for (size_t i = 0; i < k; ++i) // quotes would end the reason="..." they go into
        dst[i] = line[i] == '"' ? '\'' : line[i];
    dst[k] = '\0';
}

} // namespace

void KernelSlaveEnv::console_line(const char* line, size_t n) {
    if (vm->queue_console) { // printed and watched by flush_console(), interrupts on
        vm->console_queue.push(nullptr, line, n);
        return;
    }
    kern::kprintf("%s %s\n", vm->console_prefix, line);
    watch_line(line, n);
}

void KernelSlaveEnv::watch_line(const char* line, size_t n) {
    size_t keep = n < sizeof res->last_line - 1 ? n : sizeof res->last_line - 1;
    memcpy(res->last_line, line, keep);
    res->last_line[keep] = '\0';
    if (!res->marker_tsc && contains(line, SLAVE_USERSPACE_MARKER)) {
        res->marker_tsc = kern::cpu::rdtsc();
        res->exits_at_marker = res->out.total_exits;
        memcpy(res->boot_exits, res->out.exits, sizeof res->boot_exits);
    }
    if (contains(line, "Kernel panic")) res->panicked = true;
    for (uint32_t i = 0; i < sizeof SLAVE_WATCH / sizeof SLAVE_WATCH[0]; ++i)
        if (contains(line, SLAVE_WATCH[i])) res->seen |= 1u << i;
    if (contains(line, "ESCAPED")) ++res->escaped_lines;
    // Lost FPU state: a checker's report, or Linux's own when XRSTOR refused a task's image.
    if (!res->fpu_failure[0] &&
        (contains(line, "fpucheck: FAIL") || contains(line, "fpucheck: result=fail") ||
         contains(line, "Bad FPU state")))
        keep_line(res->fpu_failure, sizeof res->fpu_failure, line, n);
    if (!res->xsave_failure[0] &&
        (contains(line, "(offered): WRONG") || contains(line, "xsavecheck: result=fail")))
        keep_line(res->xsave_failure, sizeof res->xsave_failure, line, n);
}

void KernelSlaveEnv::flush_console() {
    print_held(vm->exit_log);
    drain_lines(
        vm->console_queue,
        [this](const char* text) {
            kern::kprintf("%s %s\n", vm->console_prefix, text);
            watch_line(text, strlen(text));
        },
        [this](uint64_t n) {
            kern::kprintf("%s: %lu console lines lost (queue full)\n", vm->label, n);
        });
}

} // namespace hv
