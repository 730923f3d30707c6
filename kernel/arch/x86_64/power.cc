#include "arch/x86_64/power.h"

#include "arch/x86_64/cpu.h"
#include "console/console.h"
#include "test/report.h"

namespace kern {

namespace {
bool g_emulator_exit = false;
constexpr uint16_t QEMU_DEBUG_EXIT_PORT = 0xF4;  // -device isa-debug-exit,iobase=0xf4,iosize=4
constexpr uint16_t BOCHS_SHUTDOWN_PORT = 0x8900; // Bochs' "shutdown port" (iodev/unmapped.cc)
} // namespace

void machine_exit_enable_emulator(bool enable) {
    g_emulator_exit = enable;
}

void machine_exit(ExitStatus status) {
    cpu::cli();
    report_grade_end();
    report_exit(status == ExitStatus::success ? 0 : 1);
    if (g_emulator_exit) {
        cpu::outl(QEMU_DEBUG_EXIT_PORT, status == ExitStatus::success ? 0x10 : 0x11);
        for (const char* p = "Shutdown"; *p; ++p)
            cpu::outb(BOCHS_SHUTDOWN_PORT, uint8_t(*p));
    }
    kprintf("vLibOS: system halted (%s); it is safe to power off.\n",
            status == ExitStatus::success ? "finished" : "after an error");
    cpu::halt_forever();
}

} // namespace kern
