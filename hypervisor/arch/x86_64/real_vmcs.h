// The VmcsAccess implementation for the CPU's current VMCS: VMREAD and VMWRITE (SDM Vol 3C
// 31.3). A failed access is remembered (first failure wins) rather than ignored, so the caller
// can name the field after a batch of writes.
#pragma once

#include "hypervisor/arch/x86_64/vmx_insn.h"

#include <stdint.h>

namespace hv {

/// VMREAD/VMWRITE on the current VMCS, recording the first failure.
class RealVmcs {
  public:
    /// VMREAD of `encoding` (0 if it failed).
    uint64_t read_raw(uint32_t encoding) {
        uint64_t v = 0;
        if (!vmx::vmread(encoding, &v)) [[unlikely]]
            note_failure(encoding, false);
        return v;
    }
    /// VMWRITE of `value` to `encoding`.
    void write_raw(uint32_t encoding, uint64_t value) {
        if (!vmx::vmwrite(encoding, value)) [[unlikely]]
            note_failure(encoding, true);
    }
    /// True if every access so far succeeded.
    bool ok() const { return !m_failed; }
    /// Encoding of the first field whose access failed.
    uint32_t failed_encoding() const { return m_failed_encoding; }
    /// True if that access was a VMWRITE, false if a VMREAD.
    bool failed_write() const { return m_failed_write; }

  private:
    void note_failure(uint32_t encoding, bool write) {
        if (!m_failed) {
            m_failed = true;
            m_failed_encoding = encoding;
            m_failed_write = write;
        }
    }
    bool m_failed = false;
    bool m_failed_write = false;
    uint32_t m_failed_encoding = 0;
};

} // namespace hv
