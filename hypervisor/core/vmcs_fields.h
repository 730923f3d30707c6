// The VMCS field table (vmcs_fields.def) as data: encodings decoded into width and type, a
// name for every field, and compile-time checks that each row agrees with its own encoding.
//
// SDM Vol 3C 25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields" defines the
// encoding bits; SDM Vol 3D Appendix B lists the fields. Pure: no privileged instructions.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hv {

/// Width of a VMCS field: the value of encoding bits 14:13 (SDM Vol 3C 25.11.2).
enum class Width : uint8_t {
    W16 = 0,     ///< 16-bit field
    W64 = 1,     ///< 64-bit field
    W32 = 2,     ///< 32-bit field
    NATURAL = 3, ///< natural width: 64 bits on an x86-64 host
};

/// Type of a VMCS field: the value of encoding bits 11:10 (SDM Vol 3C 25.11.2).
enum class FieldType : uint8_t {
    CONTROL = 0,   ///< VM-execution, VM-exit or VM-entry control
    EXIT_INFO = 1, ///< VM-exit information ("read-only data"): VMWRITE fails with error 13
    GUEST = 2,     ///< guest-state area
    HOST = 3,      ///< host-state area
};

/// The width encoded in bits 14:13 of a field encoding.
constexpr Width encoding_width(uint32_t encoding) {
    return static_cast<Width>((encoding >> 13) & 3);
}

/// The type encoded in bits 11:10 of a field encoding.
constexpr FieldType encoding_type(uint32_t encoding) {
    return static_cast<FieldType>((encoding >> 10) & 3);
}

/// The index in bits 9:1 of a field encoding.
constexpr uint32_t encoding_index(uint32_t encoding) {
    return (encoding >> 1) & 0x1ff;
}

/// True if @p encoding is a well-formed "full" encoding: access type (bit 0) 0, reserved bit 12
/// and bits 31:15 clear. Says nothing about whether a CPU supports the field.
constexpr bool encoding_is_full(uint32_t encoding) {
    return (encoding & 0xffff9001u) == 0;
}

/// Bits in a field of width @p w: 16, 32 or 64.
constexpr unsigned width_bits(Width w) {
    return w == Width::W16 ? 16 : w == Width::W32 ? 32 : 64;
}

/// Mask of the bits a VMWRITE keeps in a field of width @p w (VMWRITE ignores the higher bits
/// of its source; VMREAD zero-extends: SDM Vol 3C 31.3 "VMREAD"/"VMWRITE").
constexpr uint64_t width_mask(Width w) {
    return w == Width::W16 ? 0xffffull : w == Width::W32 ? 0xffffffffull : ~0ull;
}

/// One row of the field table.
struct VmcsFieldInfo {
    uint32_t encoding; ///< VMREAD/VMWRITE encoding ("full" form for 64-bit fields)
    Width width;       ///< declared width; equals encoding_width(encoding)
    FieldType type;    ///< declared type; equals encoding_type(encoding)
    const char* name;  ///< SDM name, e.g. "GUEST_CS_SELECTOR"
};

/// Every field of vmcs_fields.def, in table order.
inline constexpr VmcsFieldInfo VMCS_FIELD_TABLE[] = {
#define VMCS_FIELD(name, enc, width, type) {enc, Width::width, FieldType::type, #name},
#include "hypervisor/core/vmcs_fields.def"
#undef VMCS_FIELD
};

/// Number of rows in VMCS_FIELD_TABLE.
inline constexpr size_t VMCS_FIELD_COUNT = sizeof(VMCS_FIELD_TABLE) / sizeof(VMCS_FIELD_TABLE[0]);

/// Index of @p encoding in VMCS_FIELD_TABLE, or VMCS_FIELD_COUNT if it is not in the table.
constexpr size_t vmcs_field_index(uint32_t encoding) {
    for (size_t i = 0; i < VMCS_FIELD_COUNT; i++)
        if (VMCS_FIELD_TABLE[i].encoding == encoding) return i;
    return VMCS_FIELD_COUNT;
}

/// The table row for @p encoding, or nullptr if the field is not in the table.
constexpr const VmcsFieldInfo* vmcs_field_info(uint32_t encoding) {
    size_t i = vmcs_field_index(encoding);
    return i < VMCS_FIELD_COUNT ? &VMCS_FIELD_TABLE[i] : nullptr;
}

/// The SDM name of @p encoding for diagnostics ("GUEST_RIP"), or "UNKNOWN_VMCS_FIELD".
constexpr const char* vmcs_field_name(uint32_t encoding) {
    const VmcsFieldInfo* f = vmcs_field_info(encoding);
    return f ? f->name : "UNKNOWN_VMCS_FIELD";
}

namespace detail {

// Per-row checks: a row whose WIDTH or TYPE disagrees with its ENCODING, or that uses a "high"
// (access type 1) or malformed encoding, stops the build with the field's name in the message.
#define VMCS_FIELD(name, enc, width, type)                                                         \
    static_assert(encoding_width(enc) == Width::width, #name ": WIDTH disagrees with bits 14:13"); \
    static_assert(encoding_type(enc) == FieldType::type,                                           \
                  #name ": TYPE disagrees with bits 11:10");                                       \
    static_assert(encoding_is_full(enc), #name ": not a well-formed full encoding");
#include "hypervisor/core/vmcs_fields.def"
#undef VMCS_FIELD

// Whole-table check: no encoding appears twice (a copy-pasted row with a stale encoding).
constexpr bool encodings_unique() {
    for (size_t i = 0; i < VMCS_FIELD_COUNT; i++)
        for (size_t j = i + 1; j < VMCS_FIELD_COUNT; j++)
            if (VMCS_FIELD_TABLE[i].encoding == VMCS_FIELD_TABLE[j].encoding) return false;
    return true;
}
static_assert(encodings_unique(), "vmcs_fields.def: an encoding appears twice");

} // namespace detail

} // namespace hv
