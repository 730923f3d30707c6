// Exit qualifications and interruption information decoded into small structs, one per format
// (the Zircon IoInfo pattern). Each decode() reads named bits of the raw value: no bitfield
// unions, whose layout C++ does not define.
//
// Table numbers are those of SDM Vol 3C 28.2.1 "Basic VM-Exit Information" and 25.9.2
// "Information for VM Exits Due to Vectored Events" (Intel SDM, 2023 editions).
#pragma once

#include <stdint.h>

namespace hv {

namespace detail {
/// Bit @p n of @p v.
constexpr bool bit(uint64_t v, unsigned n) {
    return ((v >> n) & 1) != 0;
}
} // namespace detail

/// EXIT_REASON_IO_INSTRUCTION qualification (SDM Vol 3C Table 28-5 "Exit Qualification for I/O
/// Instructions").
struct IoExitInfo {
    uint8_t size;   ///< bits 2:0 + 1: access size in bytes (1, 2 or 4)
    bool input;     ///< bit 3: IN/INS (true) or OUT/OUTS (false)
    bool string;    ///< bit 4: INS/OUTS
    bool rep;       ///< bit 5: REP prefix
    bool immediate; ///< bit 6: port given as an immediate (false: in DX)
    uint16_t port;  ///< bits 31:16: port number

    /// Decode a raw EXIT_QUALIFICATION.
    static constexpr IoExitInfo decode(uint64_t qual) {
        return IoExitInfo{static_cast<uint8_t>((qual & 7) + 1),
                          detail::bit(qual, 3),
                          detail::bit(qual, 4),
                          detail::bit(qual, 5),
                          detail::bit(qual, 6),
                          static_cast<uint16_t>(qual >> 16)};
    }
};

/// Access type of a control-register exit (Table 28-3, bits 5:4).
enum class CrAccessType : uint8_t {
    MOV_TO_CR = 0,   ///< MOV to CR0/3/4/8
    MOV_FROM_CR = 1, ///< MOV from CR3/8
    CLTS = 2,        ///< CLTS
    LMSW = 3,        ///< LMSW
};

/// EXIT_REASON_CR_ACCESS qualification (SDM Vol 3C Table 28-3 "Exit Qualification for
/// Control-Register Accesses").
struct CrAccessInfo {
    uint8_t cr;               ///< bits 3:0: control register number (0 for CLTS and LMSW)
    CrAccessType access;      ///< bits 5:4: access type
    bool lmsw_memory_operand; ///< bit 6: LMSW operand is in memory (false: a register)
    uint8_t gpr;              ///< bits 11:8: MOV CR register, 0 RAX 1 RCX 2 RDX 3 RBX 4 RSP ...
                              ///< 15 R15 (the GPR order of ModRM encodings)
    uint16_t lmsw_source;     ///< bits 31:16: LMSW source data

    /// Decode a raw EXIT_QUALIFICATION.
    static constexpr CrAccessInfo decode(uint64_t qual) {
        return CrAccessInfo{static_cast<uint8_t>(qual & 0xf),
                            static_cast<CrAccessType>((qual >> 4) & 3), detail::bit(qual, 6),
                            static_cast<uint8_t>((qual >> 8) & 0xf),
                            static_cast<uint16_t>(qual >> 16)};
    }
};

/// EXIT_REASON_EPT_VIOLATION qualification (SDM Vol 3C Table 28-7 "Exit Qualification for EPT
/// Violations"). The faulting guest-physical address is in GUEST_PHYSICAL_ADDRESS and, if
/// linear_address_valid, the linear one in GUEST_LINEAR_ADDRESS.
struct EptViolationInfo {
    bool read;                 ///< bit 0: the access was a data read
    bool write;                ///< bit 1: the access was a data write
    bool fetch;                ///< bit 2: the access was an instruction fetch
    bool readable;             ///< bit 3: the EPT entries allowed reads (AND over the walk)
    bool writable;             ///< bit 4: the EPT entries allowed writes
    bool executable;           ///< bit 5: the EPT entries allowed execution (supervisor, if MBEC)
    bool user_executable;      ///< bit 6: user-mode execute allowed (only with MBEC)
    bool linear_address_valid; ///< bit 7: GUEST_LINEAR_ADDRESS is valid
    bool translated_access;    ///< bit 8 (if bit 7): access to the translated address, not to a
                               ///< guest paging-structure entry
    bool nmi_unblocking;       ///< bit 12: NMI unblocking due to IRET

    /// Decode a raw EXIT_QUALIFICATION.
    static constexpr EptViolationInfo decode(uint64_t qual) {
        using detail::bit;
        return EptViolationInfo{bit(qual, 0), bit(qual, 1), bit(qual, 2), bit(qual, 3),
                                bit(qual, 4), bit(qual, 5), bit(qual, 6), bit(qual, 7),
                                bit(qual, 8), bit(qual, 12)};
    }
};

/// Interruption type (bits 10:8; SDM Vol 3C 25.9.2, and 25.8.3 for VM-entry injection).
enum class InterruptionType : uint8_t {
    EXTERNAL_INTERRUPT = 0,            ///< external interrupt
    NMI = 2,                           ///< non-maskable interrupt
    HARDWARE_EXCEPTION = 3,            ///< hardware exception (#PF, #GP, ...)
    SOFTWARE_INTERRUPT = 4,            ///< INT n
    PRIVILEGED_SOFTWARE_EXCEPTION = 5, ///< INT1 (ICEBP)
    SOFTWARE_EXCEPTION = 6,            ///< INT3 or INTO
    OTHER_EVENT = 7,                   ///< other event (e.g. MTF injection)
};

/// VM_EXIT_INTR_INFO, IDT_VECTORING_INFO_FIELD and VM_ENTRY_INTR_INFO_FIELD share this format
/// (SDM Vol 3C 25.9.2, 25.9.3 and 25.8.3 "VM-Entry Controls for Event Injection").
struct InterruptionInfo {
    uint8_t vector;        ///< bits 7:0: vector of the interrupt or exception
    InterruptionType type; ///< bits 10:8: interruption type
    bool error_code_valid; ///< bit 11: the error-code field is valid / deliver an error code
    bool nmi_unblocking;   ///< bit 12: NMI unblocking due to IRET (exit information only)
    bool valid;            ///< bit 31: the rest of the field is meaningful

    /// Decode a raw field value (the qualification argument is 64 bits for uniformity; bits
    /// above 31 are ignored).
    static constexpr InterruptionInfo decode(uint64_t raw) {
        return InterruptionInfo{static_cast<uint8_t>(raw & 0xff),
                                static_cast<InterruptionType>((raw >> 8) & 7), detail::bit(raw, 11),
                                detail::bit(raw, 12), detail::bit(raw, 31)};
    }

    /// The raw 32-bit value, e.g. for VM_ENTRY_INTR_INFO_FIELD (where bit 12 must be 0).
    constexpr uint32_t encode() const {
        return uint32_t{vector} | (uint32_t{static_cast<uint8_t>(type)} & 7) << 8 |
               uint32_t{error_code_valid} << 11 | uint32_t{nmi_unblocking} << 12 |
               uint32_t{valid} << 31;
    }
};

} // namespace hv
