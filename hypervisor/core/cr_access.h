// CR-access exits (SDM Vol 3C 26.1.3 and Table 28-3): a MOV to CR0 or CR4 that would change a
// bit the host owns (CR0/CR4_GUEST_HOST_MASK) exits instead. The guest gets what it asked for in
// its read shadow; the real register keeps the bits VMX needs (fixed-1 bits such as CR4.VMXE,
// CR0.NE). Pure over VmcsAccess.
#pragma once

#include "core/arch/control_regs.h"
#include "hypervisor/core/exit_qualification.h"
#include "hypervisor/core/guest_regs.h"
#include "hypervisor/core/vmcs.h"

namespace hv {

/// The guest general-purpose register numbered as in the CR-access qualification (0 RAX,
/// 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8..15 R8..R15). RSP lives in the VMCS.
template <VmcsAccess A> uint64_t guest_gpr(Vmcs<A>& v, const GuestRegs& r, unsigned n) {
    switch (n) {
    case 0:
        return r.rax;
    case 1:
        return r.rcx;
    case 2:
        return r.rdx;
    case 3:
        return r.rbx;
    case 4:
        return v.read(GUEST_RSP);
    case 5:
        return r.rbp;
    case 6:
        return r.rsi;
    case 7:
        return r.rdi;
    case 8:
        return r.r8;
    case 9:
        return r.r9;
    case 10:
        return r.r10;
    case 11:
        return r.r11;
    case 12:
        return r.r12;
    case 13:
        return r.r13;
    case 14:
        return r.r14;
    default:
        return r.r15;
    }
}

/// The outcome of a CR-access exit.
enum class CrAccessResult : uint8_t {
    handled,     ///< done: resume the guest after the instruction
    unsupported, ///< an access this hypervisor does not emulate: stop the guest
};

/// Emulate MOV to CR0/CR4, CLTS and LMSW. `fixed0`/`fixed1` are the CR's VMX fixed-bit MSRs.
/// The guest's value goes to the read shadow; the real CR gets it with the owned bits forced
/// to what VMX requires. Paging-mode changes that need the IA-32e entry control to follow
/// (CR0.PG with EFER.LME) are reported unsupported: the kit's guests never switch mode.
template <VmcsAccess A>
CrAccessResult handle_cr_access(Vmcs<A>& v, const GuestRegs& r, uint64_t qualification,
                                uint64_t cr0_fixed0, uint64_t cr0_fixed1, uint64_t cr4_fixed0,
                                uint64_t cr4_fixed1) {
    CrAccessInfo cr = CrAccessInfo::decode(qualification);
    uint64_t value;
    if (cr.access == CrAccessType::MOV_TO_CR) {
        value = guest_gpr(v, r, cr.gpr);
    } else if (cr.access == CrAccessType::CLTS) {
        value = (v.read(CR0_READ_SHADOW) & v.read(CR0_GUEST_HOST_MASK)) |
                (v.read(GUEST_CR0) & ~v.read(CR0_GUEST_HOST_MASK));
        value &= ~kern::x86::CR0_TS;
    } else if (cr.access == CrAccessType::LMSW) {
        uint64_t cur = (v.read(CR0_READ_SHADOW) & v.read(CR0_GUEST_HOST_MASK)) |
                       (v.read(GUEST_CR0) & ~v.read(CR0_GUEST_HOST_MASK));
        // LMSW loads CR0[3:0] but can set, never clear, PE (SDM Vol 2A, LMSW).
        value = (cur & ~uint64_t(0xE)) | (cr.lmsw_source & 0xF) | (cur & 1);
    } else {
        return CrAccessResult::unsupported; // MOV from CR: only CR3/CR8 exit, and we enable neither
    }
    if (cr.access == CrAccessType::MOV_TO_CR && cr.cr == 4) {
        v.write(CR4_READ_SHADOW, value);
        v.write(GUEST_CR4, (value | cr4_fixed0) & cr4_fixed1);
        return CrAccessResult::handled;
    }
    if (cr.access == CrAccessType::MOV_TO_CR && cr.cr != 0) return CrAccessResult::unsupported;
    uint64_t owned = v.read(CR0_GUEST_HOST_MASK);
    uint64_t old = v.read(GUEST_CR0);
    if (((old ^ value) >> 31) & 1)
        return CrAccessResult::unsupported; // paging on/off: IA-32e mode would have to follow
    v.write(CR0_READ_SHADOW, value);
    v.write(GUEST_CR0, (value | (cr0_fixed0 & owned)) & cr0_fixed1);
    return CrAccessResult::handled;
}

} // namespace hv
