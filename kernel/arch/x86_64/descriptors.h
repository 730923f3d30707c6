// x86_64 segment, TSS and gate descriptors as typed values (SDM Vol 3A 3.4.5, 8.2.3, 7.14.1).
// Pure layout code, host-testable; loading the tables is gdt.cc's and idt.cc's job.
#pragma once

#include <stdint.h>

namespace kern::x86 {

/// Selectors of the master's GDT. The user selectors follow the order SYSRET requires
/// (SDM Vol 2B, SYSRET: CS = STAR[63:48]+16, SS = STAR[63:48]+8).
enum Selector : uint16_t {
    KERNEL_CS = 0x08,
    KERNEL_DS = 0x10,
    USER_CS32 = 0x18, ///< placeholder so SYSRET's arithmetic works; never used
    USER_DS = 0x20 | 3,
    USER_CS = 0x28 | 3,
    TSS_SEL = 0x30, ///< 16-byte system descriptor: occupies slots 6 and 7
};
/// Number of 8-byte GDT slots.
inline constexpr int GDT_ENTRIES = 8;

/// A code or data segment descriptor (SDM Vol 3A 3.4.5, Figure 3-8). In 64-bit mode base and limit
/// are ignored for code/data; only type, DPL, P, L and D/B matter.
struct SegmentDescriptor {
    uint64_t raw = 0; ///< the descriptor as the CPU reads it

    /// A 64-bit code segment (L=1, D=0) at privilege `dpl`.
    static constexpr SegmentDescriptor code64(unsigned dpl) {
        // type 0xA (execute/read), S=1, P=1, L=1, G=1, limit 0xFFFFF
        return {0x00AF9A000000FFFFull | (uint64_t(dpl & 3) << 45)};
    }
    /// A writable data segment at privilege `dpl`.
    static constexpr SegmentDescriptor data(unsigned dpl) {
        return {0x00CF92000000FFFFull | (uint64_t(dpl & 3) << 45)};
    }
    /// Descriptor privilege level.
    constexpr unsigned dpl() const { return unsigned(raw >> 45) & 3; }
    /// Present bit.
    constexpr bool present() const { return raw >> 47 & 1; }
    /// L bit: 64-bit code.
    constexpr bool long_mode() const { return raw >> 53 & 1; }
};
static_assert(sizeof(SegmentDescriptor) == 8);

/// The 64-bit Task-State Segment (SDM Vol 3A 8.7, Figure 8-11): in long mode it only holds
/// stack pointers: RSP0 for ring 3 -> 0 transitions and the 7 Interrupt Stack Table entries.
struct [[gnu::packed]] Tss {
    uint32_t reserved0 = 0;                ///< reserved
    uint64_t rsp[3] = {};                  ///< RSP0..RSP2
    uint64_t reserved1 = 0;                ///< reserved
    uint64_t ist[7] = {};                  ///< IST1..IST7 (ist[0] is IST1)
    uint64_t reserved2 = 0;                ///< reserved
    uint16_t reserved3 = 0;                ///< reserved
    uint16_t iomap_base = sizeof(Tss) + 0; ///< past the limit: no I/O permission bitmap
};
static_assert(sizeof(Tss) == 104);

/// The two GDT slots of a 64-bit TSS descriptor (SDM Vol 3A 8.2.3, Figure 8-4).
struct TssDescriptor {
    /// @{
    uint64_t low = 0, high = 0; ///< the two 8-byte halves
    /// @}
    /// An available 64-bit TSS (type 9) at `base` with limit sizeof(Tss)-1.
    static constexpr TssDescriptor make(uint64_t base) {
        uint64_t limit = sizeof(Tss) - 1;
        uint64_t lo = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                      (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
        return {lo, base >> 32};
    }
};

/// A 64-bit interrupt or trap gate (SDM Vol 3A 7.14.1, Figure 7-8).
struct [[gnu::packed]] GateDescriptor {
    uint16_t offset_low = 0;  ///< handler address bits 15:0
    uint16_t selector = 0;    ///< code segment of the handler
    uint8_t ist = 0;          ///< bits 2:0: IST index, 0 = none
    uint8_t type_attr = 0;    ///< P, DPL, 0, type (0xE interrupt gate: clears IF)
    uint16_t offset_mid = 0;  ///< handler address bits 31:16
    uint32_t offset_high = 0; ///< handler address bits 63:32
    uint32_t reserved = 0;    ///< must be 0
};
static_assert(sizeof(GateDescriptor) == 16);

/// An interrupt gate (type 0xE: the CPU clears RFLAGS.IF on the way in) to `handler` in
/// KERNEL_CS, present, that INT n reaches from CPL <= `dpl` (3 lets user mode's INT3 in; the
/// CPU's own exceptions and interrupts ignore the DPL), switching to IST stack `ist` (1-7; 0 = stay
/// on the current stack, or RSP0 from ring 3) (SDM Vol 3A 7.14.1, Figure 7-8; 7.14.5). Lab 0's
/// idt_gate.cc.
GateDescriptor interrupt_gate(uint64_t handler, unsigned dpl, unsigned ist);

} // namespace kern::x86
