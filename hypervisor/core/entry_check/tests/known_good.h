// Known-good VMCS snapshots for the entry-check tests, and the mutation-table runner.
// Each state is what the kit's hypervisor would write for one kind of guest, checked against the
// capability MSRs Bochs 2.7's corei7_skylake_x reports (the values are in
// tests/vmx_controls_test.cc).
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/msr.h"
#include "hypervisor/core/entry_check/entry_check.h"
#include "hypervisor/core/vmx_bits.h"

namespace hv::test {

/// Bochs corei7_skylake_x: VMX_BASIC, EPT_VPID_CAP, CR0/CR4 fixed-0 as measured; the rest chosen
/// to match (TRUE allowed-0 = the SDM A.3-A.5 default-1 bits the TRUE MSRs keep).
VmxCaps bochs_skylake_caps();

/// 64-bit long-mode guest (IA-32e, CS.L, EPT + VPID, TPR shadow), as for the Linux slave.
VmxState good_long_mode();
/// 32-bit protected-mode guest with PAE paging under EPT, injecting external interrupt 0x20.
VmxState good_protected32();
/// Real-mode guest under "unrestricted guest" + EPT, at the reset vector F000:FFF0 (an AP start).
VmxState good_real_mode();
/// good_protected32() switched to virtual-8086 mode (RFLAGS.VM, segments in 8086 form).
VmxState good_v8086();

/// Which known-good state a mutation starts from.
enum class Base { long_mode, protected32, real_mode, v8086 };

/// The known-good state @p b.
VmxState make_base(Base b);

/// One row of a mutation table: break one rule of a known-good state, expect one field blamed.
struct Mutation {
    const char* name;                    ///< what the row breaks
    Base base;                           ///< the state it starts from
    void (*mutate)(VmxState&, VmxCaps&); ///< the single change (state or capabilities)
    const char* field;                   ///< the VMCS field the failure must name
};

/// Catch2 body for a mutation table: every row must pass before its change and fail after it,
/// naming exactly its field, with a section and a message.
/// @param rows the table
/// @param n    its length
void run_mutation_table(const Mutation* rows, unsigned n);

} // namespace hv::test
