// FakeVmcs: a VmcsAccess back end that keeps the VMCS in memory, for host tests of code that
// reads and writes the VMCS (exit handlers, VMCS set-up, VM-entry checks).
//
// It behaves like VMREAD/VMWRITE on a CPU that supports exactly the fields of vmcs_fields.def:
// a write to a read-only (VM-exit information) field or to an unknown encoding is refused with
// the VM-instruction error the CPU would give (13 or 12, SDM Vol 3C 31.4), which is also stored
// in VM_INSTRUCTION_ERROR as a VMfailValid would. A test plays the processor with set(): that
// fills any field, read-only ones included, without being logged.
//
// No heap and no host library: one array slot per table row, and a fixed-size write log.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

#include "hypervisor/core/vm_instruction_error.h"
#include "hypervisor/core/vmcs.h"
#include "hypervisor/core/vmcs_fields.h"

namespace hv {

/// An in-memory VMCS for tests; see the file comment for the rules it enforces.
class FakeVmcs {
  public:
    /// How many writes the log keeps; later writes still take effect but are not logged.
    static constexpr size_t LOG_CAPACITY = 64;

    /// One logged VMWRITE.
    struct WriteRecord {
        uint32_t encoding; ///< the field written
        uint64_t value;    ///< the value stored (already truncated to the field's width)
    };

    // ---- VmcsAccess

    /// VMREAD: the stored value (0 if never written). An unknown encoding is refused (error 12)
    /// and reads as 0.
    uint64_t read_raw(uint32_t encoding) {
        size_t i = vmcs_field_index(encoding);
        if (i == VMCS_FIELD_COUNT) {
            refuse(encoding, VmInstructionError::VMXERR_UNSUPPORTED_VMCS_COMPONENT);
            return 0;
        }
        return m_values[i];
    }

    /// VMWRITE: store @p value truncated to the field's width and log it; refuse (and do not
    /// store) a write to a read-only field (error 13) or an unknown encoding (error 12).
    void write_raw(uint32_t encoding, uint64_t value) {
        size_t i = vmcs_field_index(encoding);
        if (i == VMCS_FIELD_COUNT)
            return refuse(encoding, VmInstructionError::VMXERR_UNSUPPORTED_VMCS_COMPONENT);
        if (VMCS_FIELD_TABLE[i].type == FieldType::EXIT_INFO)
            return refuse(encoding, VmInstructionError::VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
        value &= width_mask(VMCS_FIELD_TABLE[i].width);
        m_values[i] = value;
        m_written[i] = true;
        if (m_log_size < LOG_CAPACITY) m_log[m_log_size] = {encoding, value};
        m_log_size++;
    }

    // ---- the test's side: playing the processor, inspecting what the code under test did

    /// Store @p value in @p field as the processor would (read-only fields included), without
    /// logging it as a write.
    template <Width W, Access A>
    void set(VmcsField<W, A> field, std::type_identity_t<FieldValue<W>> value) {
        m_values[vmcs_field_index(field.encoding)] = value.value();
    }

    /// The stored value of @p encoding (0 if unknown or never set), without side effects.
    uint64_t get(uint32_t encoding) const {
        size_t i = vmcs_field_index(encoding);
        return i < VMCS_FIELD_COUNT ? m_values[i] : 0;
    }

    /// True if the code under test wrote @p encoding through write_raw() since construction or
    /// clear_log().
    bool was_written(uint32_t encoding) const {
        size_t i = vmcs_field_index(encoding);
        return i < VMCS_FIELD_COUNT && m_written[i];
    }

    /// Number of accepted writes since construction or clear_log(), logged or not.
    size_t write_count() const { return m_log_size; }

    /// The @p n th accepted write (n < LOG_CAPACITY and n < write_count()).
    const WriteRecord& write_at(size_t n) const { return m_log[n]; }

    /// Number of refused reads and writes.
    size_t refused_count() const { return m_refused; }

    /// Encoding of the last refused access (meaningful if refused_count() > 0).
    uint32_t last_refused_encoding() const { return m_last_refused; }

    /// The error of the last refused access, VMXERR_NONE if none.
    VmInstructionError last_error() const { return m_last_error; }

    /// Forget the write log, the written flags and the refusals; keep the values.
    void clear_log() {
        for (bool& w : m_written)
            w = false;
        m_log_size = 0;
        m_refused = 0;
        m_last_refused = 0;
        m_last_error = VmInstructionError::VMXERR_NONE;
    }

  private:
    void refuse(uint32_t encoding, VmInstructionError e) {
        m_refused++;
        m_last_refused = encoding;
        m_last_error = e;
        m_values[vmcs_field_index(VM_INSTRUCTION_ERROR.encoding)] = static_cast<uint32_t>(e);
    }

    uint64_t m_values[VMCS_FIELD_COUNT] = {};
    bool m_written[VMCS_FIELD_COUNT] = {};
    WriteRecord m_log[LOG_CAPACITY] = {};
    size_t m_log_size = 0;
    size_t m_refused = 0;
    uint32_t m_last_refused = 0;
    VmInstructionError m_last_error = VmInstructionError::VMXERR_NONE;
};

static_assert(VmcsAccess<FakeVmcs>);

} // namespace hv
