// Lab 5: the CPUID policy and the hypercall decisions, without a CPU.
#include "hypervisor/core/cpuid_policy.h"
#include "hypervisor/core/hypercall_dispatch.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

using namespace hv;

TEST_CASE("CPUID leaf 1 hides VMX and shows the hypervisor", "[lab5]") {
    CpuidRegs host{0x000506E3, 0x00100800, 0x7FFAFBBF, 0xBFEBFBFF}; // VMX (ECX bit 5) set
    CpuidRegs g = guest_cpuid(1, 0, host);
    CHECK((g.ecx & (1u << 5)) == 0);
    CHECK((g.ecx & (1u << 31)) != 0);
    CHECK((g.ecx | (1u << 5) | (1u << 31)) == (host.ecx | (1u << 31)));
    CHECK(g.eax == host.eax);
    CHECK(g.edx == host.edx);
}

TEST_CASE("CPUID leaf 7 hides LA57, other leaves pass through", "[lab5]") {
    CpuidRegs host{1, 2, 0xFFFFFFFF, 4};
    CHECK(guest_cpuid(7, 0, host).ecx == 0xFFFEFFFF);
    CHECK(guest_cpuid(7, 1, host).ecx == 0xFFFFFFFF);
    CpuidRegs other = guest_cpuid(0x80000001, 0, host);
    CHECK(std::memcmp(&other, &host, sizeof host) == 0);
}

TEST_CASE("the hypervisor leaf carries the vLibOS signature", "[lab5]") {
    CpuidRegs g = guest_cpuid(HV_CPUID_LEAF, 0, CpuidRegs{0, 0, 0, 0});
    CHECK(g.eax == HV_CPUID_LEAF);
    char sig[13] = {};
    std::memcpy(sig, &g.ebx, 4);
    std::memcpy(sig + 4, &g.ecx, 4);
    std::memcpy(sig + 8, &g.edx, 4);
    CHECK(std::string(sig) == "vLibOSvLibOS");
}

namespace {
struct FakeEnv final : HypercallEnv {
    std::vector<uint8_t> ram = std::vector<uint8_t>(4096, 'x');
    std::string printed;
    int reports = 0;
    uint64_t last[3] = {};
    const uint8_t* guest_bytes(uint64_t gpa, uint64_t n) override {
        return (gpa <= ram.size() && n <= ram.size() - gpa) ? ram.data() + gpa : nullptr;
    }
    void print(const uint8_t* t, size_t n) override {
        printed.append(reinterpret_cast<const char*>(t), n);
    }
    void report(uint64_t a, uint64_t b, uint64_t c) override {
        ++reports;
        last[0] = a, last[1] = b, last[2] = c;
    }
};
} // namespace

TEST_CASE("HC_PRINT prints text inside guest RAM", "[lab5]") {
    FakeEnv env;
    std::memcpy(env.ram.data() + 100, "hi there", 8);
    HypercallResult r = dispatch_hypercall(HC_PRINT, 100, 8, 0, 0, env);
    CHECK(r.rax == 0);
    CHECK_FALSE(r.stop);
    CHECK(env.printed == "hi there");
}

TEST_CASE("bad hypercalls fail without effect", "[lab5]") {
    FakeEnv env;
    CHECK(dispatch_hypercall(HC_PRINT, 4090, 16, 0, 0, env).rax == -HCE_FAULT);     // runs past RAM
    CHECK(dispatch_hypercall(HC_PRINT, ~0ull - 3, 8, 0, 0, env).rax == -HCE_FAULT); // wraps
    CHECK(dispatch_hypercall(HC_PRINT, 0, HC_PRINT_MAX + 1, 0, 0, env).rax == -HCE_INVAL);
    CHECK(dispatch_hypercall(0x7777, 0, 0, 0, 0, env).rax == -HCE_NOSYS);
    CHECK(env.printed.empty());
    CHECK(env.reports == 0);
}

TEST_CASE("only CPL 0 may make hypercalls", "[lab5]") {
    FakeEnv env;
    for (uint64_t nr : {uint64_t(HC_PRINT), uint64_t(HC_REPORT), uint64_t(HC_EXIT), uint64_t(99)}) {
        HypercallResult r = dispatch_hypercall(nr, 0, 4, 0, 3, env);
        CHECK(r.rax == -HCE_PERM);
        CHECK_FALSE(r.stop);
    }
    CHECK(env.printed.empty());
    CHECK(env.reports == 0);
}

TEST_CASE("HC_REPORT and HC_EXIT", "[lab5]") {
    FakeEnv env;
    CHECK(dispatch_hypercall(HC_REPORT, 1, 2, 3, 0, env).rax == 0);
    CHECK(env.reports == 1);
    CHECK(env.last[2] == 3);
    HypercallResult r = dispatch_hypercall(HC_EXIT, 42, 0, 0, 0, env);
    CHECK(r.stop);
    CHECK(r.exit_code == 42);
    CHECK(r.rax == 0);       // the ABI's success, although the guest does not run on to read it
    CHECK(env.reports == 1); // HC_EXIT reports nothing
}
