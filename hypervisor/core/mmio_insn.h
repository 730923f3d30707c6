// Decoding the one kind of instruction a guest uses on an emulated MMIO register: a 32-bit MOV
// between a general-purpose register (or an immediate) and memory, which is what Linux's
// readl()/writel() compile to. An EPT violation gives the guest-physical address and whether it
// was a read or a write (SDM Vol 3C 28.2.1, Table 28-7), but neither the register nor the
// instruction's length (VM_EXIT_INSTRUCTION_LEN is defined only for exits caused by instructions,
// 28.2.5): both come from the instruction bytes at the guest's RIP, fetched through the guest's
// own page tables (guest_linear_to_physical).
//
// Anything else (another opcode, a 16- or 64-bit operand, a register operand) is refused: the
// caller stops the guest rather than guess. Pure; host-tested (tests/mmio_insn_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// A decoded MMIO MOV.
struct MmioInsn {
    bool write = false;     ///< true: register/immediate -> memory; false: memory -> register
    bool immediate = false; ///< write of `imm` (MOV r/m32, imm32), not of a register
    uint8_t reg = 0;    ///< register number (0 = RAX ... 15 = R15): the source or the destination
    uint32_t imm = 0;   ///< the immediate, if `immediate`
    uint8_t length = 0; ///< bytes of the whole instruction, to advance RIP by
};

/// Decode @p n bytes at @p code (at most 15 are read: SDM Vol 2A 2.3.11). Accepts legacy segment
/// prefixes, one REX prefix without REX.W, and opcodes 0x89 (MOV r/m32, r32), 0x8B (MOV r32,
/// r/m32) and 0xC7 /0 (MOV r/m32, imm32) with a memory operand (Vol 2A 2.1.5, Tables 2-2 and
/// 2-3; 2.2.1.6 for RIP-relative). False if the instruction is anything else or is cut short.
[[nodiscard]] bool decode_mmio_mov(const uint8_t* code, size_t n, MmioInsn& out);

/// Reads 8 bytes of guest-physical memory at @p gpa into @p value; false if @p gpa is not RAM.
using ReadGuestPhys = bool (*)(void* ctx, uint64_t gpa, uint64_t& value);

/// Translate the guest-linear address @p la through 4-level paging rooted at @p cr3 (SDM Vol 3A
/// 4.5, with 1 GiB and 2 MiB pages; the slave never has 5-level paging: LA57 is hidden). False
/// if an entry on the way is not present or cannot be read. Access rights are not checked: the
/// guest was executing at this address a moment ago.
[[nodiscard]] bool guest_linear_to_physical(uint64_t cr3, uint64_t la, ReadGuestPhys read,
                                            void* ctx, uint64_t& gpa);

} // namespace hv
