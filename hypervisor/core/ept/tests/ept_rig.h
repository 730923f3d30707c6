// What the Ept host tests share: sizes, access bits and memory types by short names, where the
// guest's RAM sits in fake host-physical memory, and an Ept made or read with the test failing
// (the reason shown) if that does not work.
#pragma once

#include "hypervisor/core/ept/ept.h"
#include "hypervisor/core/ept/tests/fake_phys.h"

#include <catch2/catch.hpp>

namespace hv::test {

inline constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
inline constexpr uint64_t R = EPT_READ, RW = EPT_READ | EPT_WRITE, RX = EPT_READ | EPT_EXECUTE;
inline constexpr uint64_t RWX = EPT_PERMS;
inline constexpr EptMemoryType WB = EptMemoryType::write_back, UC = EptMemoryType::uncacheable;
inline constexpr uint64_t X = 4 * GiB; ///< where guest RAM lives in host-physical memory

/// A new Ept over @p mem.
inline Ept make(FakePhys& mem) {
    auto ept = Ept::create(mem, mem);
    INFO(ept.error().what);
    REQUIRE(ept.ok());
    return ept.value();
}

/// The translation of @p gpa, which must succeed.
inline EptTranslation tr(const Ept& ept, uint64_t gpa) {
    auto t = ept.translate(gpa);
    INFO("translate " << std::hex << gpa << ": " << t.error().what);
    REQUIRE(t.ok());
    return t.value();
}

} // namespace hv::test
