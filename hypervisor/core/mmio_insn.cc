#include "hypervisor/core/mmio_insn.h"

#include "core/mem/pte.h"

namespace hv {

namespace {
using kern::Pte;                       // the guest's paging-structure entries have the same format
constexpr uint8_t OP_MOV_STORE = 0x89; // MOV r/m32, r32
constexpr uint8_t OP_MOV_LOAD = 0x8B;  // MOV r32, r/m32
constexpr uint8_t OP_MOV_IMM = 0xC7;   // MOV r/m32, imm32 (ModRM.reg = 0)
constexpr uint8_t REX_W = 0x08, REX_R = 0x04;

bool segment_prefix(uint8_t b) {
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}
} // namespace

bool decode_mmio_mov(const uint8_t* code, size_t n, MmioInsn& out) {
    if (n > 15) n = 15;
    size_t i = 0;
    while (i < n && segment_prefix(code[i]))
        ++i;
    uint8_t rex = 0;
    if (i < n && (code[i] & 0xF0) == 0x40) rex = code[i++];
    if (rex & REX_W) return false; // a 64-bit access: not a 32-bit register's
    if (i + 2 > n) return false;
    uint8_t op = code[i++], modrm = code[i++];
    uint8_t mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (mod == 3) return false; // a register operand: no memory access at all
    if (op != OP_MOV_STORE && op != OP_MOV_LOAD && !(op == OP_MOV_IMM && reg == 0)) return false;
    size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) { // a SIB byte; base 101b with mod 00 means disp32 and no base (Table 2-3)
        if (i >= n) return false;
        uint8_t sib = code[i++];
        if (mod == 0 && (sib & 7) == 5) disp = 4;
    } else if (mod == 0 && rm == 5) {
        disp = 4; // RIP-relative in 64-bit mode
    }
    i += disp;
    out = MmioInsn{};
    out.write = op != OP_MOV_LOAD;
    out.reg = uint8_t(reg | ((rex & REX_R) ? 8 : 0));
    if (op == OP_MOV_IMM) {
        if (i + 4 > n) return false;
        out.immediate = true;
        out.imm = uint32_t(code[i]) | uint32_t(code[i + 1]) << 8 | uint32_t(code[i + 2]) << 16 |
                  uint32_t(code[i + 3]) << 24;
        i += 4;
    }
    if (i > n) return false;
    out.length = uint8_t(i);
    return true;
}

bool guest_linear_to_physical(uint64_t cr3, uint64_t la, ReadGuestPhys read, void* ctx,
                              uint64_t& gpa) {
    uint64_t table = cr3 & Pte::ADDRESS_MASK;
    for (int level = 4; level >= 1; --level) {
        unsigned shift = 12 + 9 * unsigned(level - 1);
        uint64_t e = 0;
        if (!read(ctx, table + ((la >> shift) & 0x1FF) * 8, e) || !(e & Pte::PRESENT)) return false;
        if (level == 1 || ((level == 2 || level == 3) && (e & Pte::HUGE))) {
            uint64_t page = uint64_t(1) << shift;
            gpa = (e & Pte::ADDRESS_MASK & ~(page - 1)) | (la & (page - 1));
            return true;
        }
        table = e & Pte::ADDRESS_MASK;
    }
    return false;
}

} // namespace hv
