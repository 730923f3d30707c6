// Typed VMCS access: every field of vmcs_fields.def becomes a constant whose type carries the
// field's width and writability, so that
//
//     Vmcs vmcs(access);
//     uint16_t cs = vmcs.read(GUEST_CS_SELECTOR);        // 16-bit field, 16-bit result
//     vmcs.write(GUEST_RIP, entry);                       // natural width: any integer
//     vmcs.write(GUEST_CS_SELECTOR, uint64_t{0x10});      // does not compile: 64-bit value
//     vmcs.write(VM_EXIT_REASON, 0);                      // does not compile: read-only field
//
// (the last two are checked by static_asserts in tests/vmcs_test.cc). The idea is Zircon's
// per-width field enums and KVM's compile-time width checks on vmcs_read16/32/64.
//
// Where values go is the business of a VmcsAccess implementation: the real one (privileged,
// arch code) wraps VMREAD/VMWRITE on the current VMCS; FakeVmcs (fake_vmcs.h) stores them in
// memory for host tests of exit handlers.
#pragma once

#include <concepts>
#include <stdint.h>
#include <type_traits>

#include "hypervisor/core/vmcs_fields.h"

namespace hv {

/// Whether a field may be written with VMWRITE.
enum class Access : uint8_t {
    READ_WRITE, ///< control, guest-state and host-state fields
    READ_ONLY,  ///< VM-exit information fields (type 1): VMWRITE fails (SDM Vol 3C 25.9)
};

/// The access of a field of type @p t. (A CPU with IA32_VMX_MISC bit 29 lets VMWRITE change
/// exit-information fields too; nothing here relies on it.)
constexpr Access access_of(FieldType t) {
    return t == FieldType::EXIT_INFO ? Access::READ_ONLY : Access::READ_WRITE;
}

/// The C++ type that holds a field of width @p W: uint16_t, uint32_t or uint64_t (natural
/// width is 64 bits on the x86-64 host).
template <Width W>
using field_value_t = std::conditional_t<W == Width::W16, uint16_t,
                                         std::conditional_t<W == Width::W32, uint32_t, uint64_t>>;

/// A VMCS field handle: an encoding whose width and access are part of the type.
template <Width W, Access A> struct VmcsField {
    /// The C++ type of the field's value.
    using value_type = field_value_t<W>;
    /// The field's width.
    static constexpr Width WIDTH = W;
    /// Whether the field can be written.
    static constexpr Access ACCESS = A;
    /// VMREAD/VMWRITE encoding.
    uint32_t encoding;
};

/// The VMCS fields, one constant per row of vmcs_fields.def, e.g.
/// `inline constexpr VmcsField<Width::W16, Access::READ_WRITE> GUEST_CS_SELECTOR{0x0802};`
#define VMCS_FIELD(name, enc, width, type)                                                         \
    inline constexpr VmcsField<Width::width, access_of(FieldType::type)> name{enc};
#include "hypervisor/core/vmcs_fields.def"
#undef VMCS_FIELD

/// True if a value of type @p T can be written to a field of width @p W with no loss: any
/// integer into a 64-bit or natural-width field (TSC_OFFSET is signed), otherwise an unsigned
/// type no wider than the field.
template <typename T, Width W>
concept FitsField =
    std::integral<T> && !std::same_as<T, bool> &&
    (width_bits(W) == 64 || (std::unsigned_integral<T> && sizeof(T) <= sizeof(field_value_t<W>)));

/// True if @p T is `int` (the type of a small integer literal) and does not fit FitsField for
/// @p W: such values are accepted only as compile-time constants, range-checked.
template <typename T, Width W>
concept IntLiteralFor = std::same_as<T, int> && !FitsField<T, W>;

namespace detail {
// Deliberately not constexpr: calling it from a consteval function is a compile error, which
// is how an out-of-range literal is reported.
void vmcs_literal_out_of_range();
} // namespace detail

/// A value about to be written to a field of width @p W. Constructible from a FitsField type
/// at run time, and from an `int` literal only at compile time, with a range check; anything
/// else (a uint64_t variable into a 16-bit field) is not constructible, so the write does not
/// compile.
template <Width W> class FieldValue {
  public:
    /// A value of a type that fits the field.
    template <FitsField<W> T>
    constexpr FieldValue(T v) : m_value(static_cast<field_value_t<W>>(v)) {}

    /// An `int` constant such as `0x10`; a negative or too large constant fails to compile.
    template <IntLiteralFor<W> T>
    consteval FieldValue(T v) : m_value(static_cast<field_value_t<W>>(v)) {
        if (v < 0 || static_cast<uint64_t>(v) > width_mask(W)) detail::vmcs_literal_out_of_range();
    }

    /// The value, in the field's own type.
    constexpr field_value_t<W> value() const { return m_value; }

  private:
    field_value_t<W> m_value;
};

/// What a VMCS back end provides. `read_raw` returns the field zero-extended to 64 bits;
/// `write_raw` ignores value bits above the field's width (as VMREAD/VMWRITE do, SDM Vol 3C
/// 31.3). Failures (an unsupported or read-only field) are the back end's to report: the real
/// one panics with vm_instruction_error_text(), FakeVmcs records them for the test to check.
template <typename A>
concept VmcsAccess = requires(A& a, uint32_t encoding, uint64_t value) {
    { a.read_raw(encoding) } -> std::same_as<uint64_t>;
    { a.write_raw(encoding, value) } -> std::same_as<void>;
};

/// Typed VMCS reads and writes over a back end @p A. Holds a reference: @p A must outlive it.
template <VmcsAccess A> class Vmcs {
  public:
    /// Reads and writes go to @p access.
    explicit Vmcs(A& access) : m_access(access) {}

    /// The value of @p field, in the field's own width.
    template <Width W, Access X> field_value_t<W> read(VmcsField<W, X> field) const {
        return static_cast<field_value_t<W>>(m_access.read_raw(field.encoding));
    }

    /// Write @p value to @p field. Read-only fields and values wider than the field do not
    /// compile.
    template <Width W>
    void write(VmcsField<W, Access::READ_WRITE> field, std::type_identity_t<FieldValue<W>> value) {
        m_access.write_raw(field.encoding, value.value());
    }

    /// Set the bits @p set and clear the bits @p clear of @p field (read-modify-write; @p set
    /// wins where both name a bit).
    template <Width W>
    void modify(VmcsField<W, Access::READ_WRITE> field, std::type_identity_t<FieldValue<W>> set,
                std::type_identity_t<FieldValue<W>> clear) {
        field_value_t<W> v = read(field);
        m_access.write_raw(field.encoding,
                           static_cast<field_value_t<W>>((v & ~clear.value()) | set.value()));
    }

    /// The back end.
    A& access() const { return m_access; }

  private:
    A& m_access;
};

} // namespace hv
