// FakeExitEnv: the ExitEnv of the exit-handler host tests. The host's CPUID answers
// {leaf, 0x11, all ones, 0x22}, log lines are kept, XCR0 supports x87/SSE/AVX and remembers writes,
// INVEPTs are recorded.
#pragma once

#include "hypervisor/core/exit_dispatch.h"

#include <string>
#include <vector>

namespace hv::test {

struct FakeExitEnv final : ExitEnv {
    std::vector<std::string> lines; ///< every line logged
    uint64_t xcr0 = 1;              ///< the last XCR0 set
    std::vector<uint64_t> invepts;  ///< the EPTP of every INVEPT, in order
    CpuidRegs host_cpuid(uint32_t leaf, uint32_t) override {
        return {leaf, 0x11, 0xFFFFFFFF, 0x22};
    }
    void log(const char* line) override { lines.emplace_back(line); }
    uint64_t xcr0_supported() override { return 0x7; } // x87, SSE, AVX
    void set_xcr0(uint64_t v) override { xcr0 = v; }
    void invept(uint64_t eptp) override { invepts.push_back(eptp); }
};

} // namespace hv::test
