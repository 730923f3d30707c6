// A CPU for the host tests of the VMX code over VmxOps (vmx_on(), vmcs_new_current(),
// host_state()): Bochs 2.7's VMX MSRs (corei7_skylake_x, read with RDMSR in the
// emulator; the non-TRUE control MSRs made up as the TRUE ones plus their default1 bits, SDM
// Vol 3D A.2), CR0 and CR4 as GRUB leaves them, 4 KiB frames, and VMXON, VMCLEAR and VMPTRLD
// with the checks the SDM gives them (Vol 3C 31.3): what a real CPU would fault on, or a rule
// of use broken, is recorded in `fault`, so a test can say which rule was broken.
#pragma once

#include "core/arch/control_regs.h"
#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
#include "hypervisor/core/vmx_on.h"

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace hv_test {

using namespace kern::x86;

struct FakeVmxCpu final : hv::VmxOps {
    // ---- the machine ----
    uint32_t cpuid1_ecx = CPUID_1_ECX_VMX | CPUID_1_ECX_XSAVE;
    std::map<uint32_t, uint64_t> msr = {
        {IA32_FEATURE_CONTROL, IA32_FEATURE_CONTROL_LOCK | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX},
        {IA32_VMX_BASIC, 0xd810000000002bull}, // revision 0x2b, 4 KiB, WB, TRUE_* MSRs
        {IA32_VMX_PINBASED_CTLS, 0x0000007f00000016ull},
        {IA32_VMX_PROCBASED_CTLS, 0xf7f9fffe0401e172ull},
        {IA32_VMX_EXIT_CTLS, 0x007fffff00036dffull},
        {IA32_VMX_ENTRY_CTLS, 0x0000ffff000011ffull},
        {IA32_VMX_MISC, 0x401e0},
        {IA32_VMX_CR0_FIXED0, 0x80000021}, // PG, NE, PE
        {IA32_VMX_CR0_FIXED1, 0xffffffff},
        {IA32_VMX_CR4_FIXED0, 0x2000}, // VMXE
        {IA32_VMX_CR4_FIXED1, 0x3727ff},
        {IA32_VMX_PROCBASED_CTLS2, 0x00117fff00000000ull},
        {IA32_VMX_EPT_VPID_CAP, 0xf0106334141ull},
        {IA32_VMX_TRUE_PINBASED_CTLS, 0x0000007f00000016ull},
        {IA32_VMX_TRUE_PROCBASED_CTLS, 0xf7f9fffe04006172ull},
        {IA32_VMX_TRUE_EXIT_CTLS, 0x007fffff00036dfbull},
        {IA32_VMX_TRUE_ENTRY_CTLS, 0x0000ffff000011fbull},
        {IA32_EFER, IA32_EFER_LME | IA32_EFER_LMA | IA32_EFER_NXE | IA32_EFER_SCE},
        {IA32_PAT, 0x0007040600070406ull},
    };
    uint64_t cr0 = CR0_PE | CR0_PG | CR0_ET | CR0_WP; // GRUB leaves CR0.NE clear
    uint64_t cr3 = 0x146000;
    uint64_t cr4 = CR4_PAE | CR4_PGE;
    bool vmxon_fails = false; ///< VMXON answers VMfailInvalid even when all is right
    bool memory_out = false;  ///< frame_alloc() finds no frame

    // ---- what happened ----
    std::string fault;                                     ///< the first rule broken, "" if none
    std::vector<std::pair<uint32_t, uint64_t>> msr_writes; ///< every WRMSR
    unsigned cr_writes = 0;                                ///< MOVs to CR0 or CR4
    unsigned vmxon_calls = 0;
    bool in_vmx = false;           ///< VMXON succeeded
    uint64_t vmxon_region = 0;     ///< its operand
    uint64_t cr4_at_vmxon = 0;     ///< CR4 when VMXON ran
    uint64_t current_vmcs = ~0ull; ///< what VMPTRST gives
    std::vector<uint64_t> cleared; ///< VMCS regions VMCLEARed (their launch state is "clear")
    bool vmptrld_fails = false;    ///< VMPTRLD answers VMfailValid even when all is right
    bool vmclear_fails = false;    ///< VMCLEAR answers VMfailValid even when all is right
    std::vector<std::vector<uint8_t>> frames; ///< frame i is at physical (i + 1) * 4 KiB
    std::vector<bool> frame_live;

    unsigned live_frames() const {
        unsigned n = 0;
        for (bool b : frame_live)
            n += b;
        return n;
    }
    void break_rule(const std::string& what) {
        if (fault.empty()) fault = what;
    }

    hv::CpuidRegs cpuid(uint32_t leaf, uint32_t) override {
        if (leaf == 1) return {0x50654, 0, cpuid1_ecx, 0};
        if (leaf == 0x80000008) return {0x3028, 0, 0, 0}; // 40 physical, 48 linear address bits
        return {0, 0, 0, 0};
    }
    uint64_t rdmsr(uint32_t m) override {
        if (m >= IA32_VMX_BASIC && m <= IA32_VMX_TRUE_ENTRY_CTLS && !(cpuid1_ecx & CPUID_1_ECX_VMX))
            break_rule("#GP: RDMSR of a VMX capability MSR on a CPU without VMX");
        auto it = msr.find(m);
        if (it == msr.end()) {
            break_rule("#GP: RDMSR of an MSR this CPU does not have");
            return 0;
        }
        return it->second;
    }
    void wrmsr(uint32_t m, uint64_t v) override {
        msr_writes.push_back({m, v});
        if (m == IA32_FEATURE_CONTROL && (msr[m] & IA32_FEATURE_CONTROL_LOCK)) {
            break_rule("#GP: WRMSR to IA32_FEATURE_CONTROL while it is locked (SDM 24.7)");
            return;
        }
        msr[m] = v;
    }
    uint64_t read_cr0() override { return cr0; }
    void write_cr0(uint64_t v) override {
        ++cr_writes;
        if (in_vmx && ((v & msr[IA32_VMX_CR0_FIXED0]) != msr[IA32_VMX_CR0_FIXED0] ||
                       (v & ~msr[IA32_VMX_CR0_FIXED1])))
            break_rule("#GP: CR0 against the fixed bits in VMX operation (SDM 24.8)");
        cr0 = v;
    }
    uint64_t read_cr3() override { return cr3; }
    uint64_t read_cr4() override { return cr4; }
    void write_cr4(uint64_t v) override {
        ++cr_writes;
        if (in_vmx && !(v & CR4_VMXE))
            break_rule("#GP: CR4.VMXE cleared in VMX operation (SDM 24.8)");
        cr4 = v;
    }
    uint64_t frame_alloc() override {
        if (memory_out) return 0;
        frames.emplace_back(4096, 0);
        frame_live.push_back(true);
        return frames.size() * 4096;
    }
    void frame_free(uint64_t phys) override {
        size_t i = phys / 4096 - 1;
        if (phys % 4096 || i >= frames.size() || !frame_live[i])
            break_rule("frame_free of a frame not allocated");
        else
            frame_live[i] = false;
    }
    void* frame_ptr(uint64_t phys) override {
        size_t i = phys / 4096 - 1;
        if (phys % 4096 || i >= frames.size()) {
            break_rule("frame_ptr of a frame not allocated");
            static uint8_t junk[4096];
            return junk;
        }
        return frames[i].data();
    }
    hv::vmx::VmxStatus vmxon(uint64_t region) override {
        ++vmxon_calls;
        vmxon_region = region;
        cr4_at_vmxon = cr4;
        // SDM Vol 3C 31.3 VMXON, in its order.
        if (!(cr4 & CR4_VMXE)) {
            break_rule("#UD: VMXON with CR4.VMXE = 0");
            return hv::vmx::VmxStatus::fail_invalid;
        }
        if (in_vmx) {
            break_rule("VMXON in VMX root operation");
            return hv::vmx::VmxStatus::fail_invalid;
        }
        uint64_t f0 = msr[IA32_VMX_CR0_FIXED0], f1 = msr[IA32_VMX_CR0_FIXED1];
        uint64_t g0 = msr[IA32_VMX_CR4_FIXED0], g1 = msr[IA32_VMX_CR4_FIXED1];
        if ((cr0 & f0) != f0 || (cr0 & ~f1) || (cr4 & g0) != g0 || (cr4 & ~g1)) {
            break_rule("#GP: VMXON with CR0 or CR4 against the fixed bits (SDM 24.8)");
            return hv::vmx::VmxStatus::fail_invalid;
        }
        uint64_t fc = msr[IA32_FEATURE_CONTROL];
        if (!(fc & IA32_FEATURE_CONTROL_LOCK) || !(fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
            break_rule("#GP: VMXON with IA32_FEATURE_CONTROL not locked with VMX on (SDM 24.7)");
            return hv::vmx::VmxStatus::fail_invalid;
        }
        size_t i = region / 4096 - 1;
        if (region % 4096 || i >= frames.size() || !frame_live[i])
            return hv::vmx::VmxStatus::fail_invalid; // not a 4 KiB-aligned region of ours
        uint32_t rev;
        std::memcpy(&rev, frames[i].data(), 4);
        if (rev != (msr[IA32_VMX_BASIC] & 0x7fffffff))
            return hv::vmx::VmxStatus::fail_invalid; // SDM 31.3: wrong revision identifier
        if (vmxon_fails) return hv::vmx::VmxStatus::fail_invalid;
        in_vmx = true;
        return hv::vmx::VmxStatus::ok;
    }
    /// The checks VMCLEAR and VMPTRLD share (SDM 31.3): in VMX operation, a 4 KiB-aligned
    /// frame of ours, not the VMXON region.
    bool vmcs_operand_ok(const char* insn, uint64_t vmcs) {
        if (!in_vmx) {
            break_rule(std::string("#UD: ") + insn + " outside VMX operation");
            return false;
        }
        size_t i = vmcs / 4096 - 1;
        if (vmcs % 4096 || vmcs == 0 || i >= frames.size() || !frame_live[i]) {
            break_rule(std::string(insn) + " of an address that is no frame of ours");
            return false;
        }
        if (vmcs == vmxon_region) {
            break_rule(std::string(insn) + " of the VMXON region");
            return false;
        }
        return true;
    }
    hv::vmx::VmxStatus vmclear(uint64_t vmcs) override {
        if (!vmcs_operand_ok("VMCLEAR", vmcs)) return hv::vmx::VmxStatus::fail_valid;
        if (vmclear_fails) return hv::vmx::VmxStatus::fail_valid;
        cleared.push_back(vmcs);
        if (current_vmcs == vmcs) current_vmcs = ~0ull;
        return hv::vmx::VmxStatus::ok;
    }
    hv::vmx::VmxStatus vmptrld(uint64_t vmcs) override {
        if (!vmcs_operand_ok("VMPTRLD", vmcs)) return hv::vmx::VmxStatus::fail_valid;
        uint32_t rev;
        std::memcpy(&rev, frames[vmcs / 4096 - 1].data(), 4);
        if (rev != (msr[IA32_VMX_BASIC] & 0x7fffffff))
            return hv::vmx::VmxStatus::fail_valid; // error 11: incorrect revision identifier
        bool was_cleared = false;
        for (uint64_t c : cleared)
            was_cleared |= c == vmcs;
        if (!was_cleared) break_rule("VMPTRLD of a VMCS never VMCLEARed (SDM 25.11.3)");
        if (vmptrld_fails) return hv::vmx::VmxStatus::fail_valid;
        current_vmcs = vmcs;
        return hv::vmx::VmxStatus::ok;
    }
    uint64_t vmptrst() override { return current_vmcs; }
};

} // namespace hv_test
