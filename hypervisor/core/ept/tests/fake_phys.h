// FakePhys for EPT host tests: the shared fake physical memory (tests/host/fake_phys.h) with
// EPT entries, plus a shortcut to the first page directory.
#pragma once

#include "hypervisor/core/ept/ept.h"
#include "tests/host/fake_phys.h"

namespace hv::test {

/// Fake physical memory whose tables hold EPT entries.
class FakePhys final : public kern::test::FakePhys<EptEntry> {
  public:
    using kern::test::FakePhys<EptEntry>::FakePhys;
    /// The PD that maps guest-physical [0, 1 GiB) (PML4[0] -> PDPT[0] -> PD).
    EptEntry* pd0(const Ept& ept) {
        return table(table(table(ept.root())[0].address())[0].address());
    }
};

} // namespace hv::test
