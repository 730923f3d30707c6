#include "hypervisor/core/slave/slave_policy.h"

#include "core/arch/cpuid_bits.h"
#include "core/arch/msr.h"
#include "hypervisor/core/slave/icr_filter.h"
#include "hypervisor/core/xsave_layout.h"

namespace hv {

using namespace kern::x86; // MSR numbers and CPUID flags

namespace {
// AVX-512 feature bits of CPUID.(EAX=7,ECX=0) (SDM Vol 2A, CPUID, Table 3-8).
constexpr uint32_t AVX512_EBX = (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) |
                                (1u << 28) | (1u << 30) |
                                (1u << 31); // F, DQ, IFMA, PF, ER, CD, BW, VL
constexpr uint32_t AVX512_ECX = (1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) |
                                (1u << 14); // VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ
constexpr uint32_t AVX512_EDX =
    (1u << 2) | (1u << 3) | (1u << 8) | (1u << 23); // 4VNNIW, 4FMAPS, VP2INTERSECT, FP16
} // namespace

SlaveMsrRead slave_msr_read(uint32_t msr, uint64_t apic_base) {
    switch (msr) {
    case IA32_APIC_BASE:
        return {false, apic_base | IA32_APIC_BASE_BSP};
    case IA32_FEATURE_CONTROL: // locked, VMX off (the slave has no VMX)
        return {false, IA32_FEATURE_CONTROL_LOCK};
    case IA32_TSC_ADJUST: // Linux reads it unchecked
        return {false, 0};
    case IA32_BIOS_SIGN_ID: // no microcode revision
        return {false, 0};
    case MSR_PLATFORM_INFO:
        return {false, 0};
    case IA32_MTRRCAP: // no MTRRs
        return {false, 0};
    case MSR_MISC_FEATURES_ENABLES:
        return {false, 0};
    case IA32_MISC_ENABLE:
        return {false, 1};   // bit 0: fast strings only
    case IA32_MTRR_DEF_TYPE: // MTRRs disabled
        return {false, 0};
    default:
        return {true, 0};
    }
}

bool slave_msr_probe_is_routine(uint32_t msr) {
    // PPIN control, SMI count, turbo ratio limits, RAPL power units/limits and energy status
    // (each read once by a Linux 6.1 boot in Bochs; a #GP is what Linux expects of a CPU without
    // them).
    static constexpr uint32_t ROUTINE[] = {0x4E,  0x34,  0x19C, 0x1AD, 0x606,
                                           0x611, 0x619, 0x639, 0x64E, 0x66A};
    for (uint32_t m : ROUTINE)
        if (m == msr) return true;
    return false;
}

SlaveMsrWrite slave_msr_write(uint32_t msr, uint64_t value, uint64_t apic_base) {
    switch (msr) {
    case IA32_X2APIC_ICR:
        return SlaveMsrWrite::icr;
    case IA32_APIC_BASE: // the mode stays x2APIC; rewriting the same value is harmless
        return (value & ~IA32_APIC_BASE_BSP) == (apic_base & ~IA32_APIC_BASE_BSP)
                   ? SlaveMsrWrite::ignore
                   : SlaveMsrWrite::gp;
    case IA32_TIME_STAMP_COUNTER: // the master's clock; a write is dropped
    case IA32_TSC_ADJUST:
    case IA32_BIOS_SIGN_ID:         // Linux writes 0 before asking for the microcode revision
    case MSR_MISC_FEATURES_ENABLES: // Linux clears CPUID faulting, which is already off
        return SlaveMsrWrite::ignore;
    default:
        return SlaveMsrWrite::gp;
    }
}

CpuidRegs slave_cpuid(uint32_t leaf, uint32_t subleaf, CpuidRegs host, uint64_t xcr0,
                      SlaveCpuidOptions opt) {
    CpuidRegs r = guest_cpuid(leaf, subleaf, host); // lab 5: VMX, LA57, hypervisor bit
    switch (leaf) {
    case 1:
        r.ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_PCID);
        if (!opt.offer_rdrand) r.ecx &= ~CPUID_1_ECX_RDRAND;
        r.edx &= ~CPUID_1_EDX_MTRR;
        break;
    case 5:    // MONITOR/MWAIT leaf
    case 0xA:  // architectural performance monitoring
    case 0x15: // TSC / crystal clock ratio
    case 0x16: // processor frequencies
        r = CpuidRegs{0, 0, 0, 0};
        break;
    case 6:
        r.ecx &= ~1u; // APERF/MPERF: each read would exit
        break;
    case 7:
        if (subleaf == 0) {
            r.ebx &= ~CPUID_7_EBX_INVPCID; // needs a VM-execution control
            if (!opt.offer_rdrand) r.ebx &= ~CPUID_7_EBX_RDSEED;
            r.ebx &= ~AVX512_EBX;
            r.ecx &= ~CPUID_7_ECX_WAITPKG; // likewise
            r.ecx &= ~AVX512_ECX;
            r.edx &= ~AVX512_EDX;
        }
        break;
    case 0xD: {
        // XSAVE state: x87, SSE and AVX only. Bochs' AVX-512 components make Linux 6.1's size
        // check fail ("XSAVE consistency problem").
        // Sizes: the legacy area and header take 576 bytes, AVX adds 256 at offset 576 (SDM Vol
        // 1 13.4); for these components the standard and compacted layouts are the same. (Bochs
        // reports a compacted size that counts AVX-512 even when XCR0 does not enable it.)
        using namespace xsave;
        uint32_t size_now = EXTENDED_REGION_OFFSET + ((xcr0 & XFEATURE_AVX) ? 256 : 0);
        if (subleaf == 0) {
            r.eax &= SLAVE_XCR0_MASK;
            r.edx = 0;
            r.ebx = size_now;                     // for the components XCR0 enables now
            r.ecx = EXTENDED_REGION_OFFSET + 256; // for every supported component
        } else if (subleaf == 1) {
            // Of the XSAVE instructions (SDM Vol 1 13.8-13.11), the slave gets XSAVE, XRSTOR,
            // XSAVEOPT and XGETBV with ECX = 1; not these two:
            // - XSAVES/XRSTORS need the VM-execution control "enable XSAVES/XRSTORS", which the
            //   slave's VMCS leaves off (they would #UD).
            // - XSAVEC: Bochs 2.7 writes the compacted format wrongly. With x87|SSE|AVX in RFBM
            //   the SDM puts AVX at 576, right after the header (SDM Vol 1 13.4.3, 13.10); Bochs
            //   treats SSE as a compacted component too and writes AVX at 416, over XMM reserved
            //   bytes and the XSAVE header (measured in the slave by vlibos-xsavecheck). Linux
            //   6.1 saves every task's FPU state with XSAVEC when CPUID offers it, and XRSTOR of
            //   that image then faults ("Bad FPU state detected") or loads garbage: processes
            //   lost their registers (make test: slave-fpu-integrity-xsavec-offered). Without
            //   XSAVEC (and XSAVES) Linux uses the standard format, which Bochs gets right.
            // Checked and kept: XSAVEOPT writes the same image as XSAVE; XGETBV(1) reports every
            // component that is not in its initial configuration (SDM Vol 1 13.6); the sizes
            // below are the SDM's (vlibos-xsavecheck checks all of it at every run).
            r.eax &= ~CPUID_D1_XSAVES;
            if (!opt.offer_xsavec) r.eax &= ~CPUID_D1_XSAVEC;
            r.ebx = size_now;  // compacted size of XCR0 | IA32_XSS (XSS = 0): the same here
            r.ecx = r.edx = 0; // no supervisor states
        } else if (subleaf >= 3) {
            r = CpuidRegs{0, 0, 0, 0};
        }
        break;
    }
    case 0x40000000:
        r = CpuidRegs{0x40000000, JAILHOUSE_SIGNATURE[0], JAILHOUSE_SIGNATURE[1],
                      JAILHOUSE_SIGNATURE[2]};
        break;
    case 0x80000001:
        r.edx &= ~CPUID_80000001_EDX_RDTSCP; // needs "enable RDTSCP" and IA32_TSC_AUX switching
        break;
    default:
        break;
    }
    return r;
}

} // namespace hv
