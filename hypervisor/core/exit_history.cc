#include "hypervisor/core/exit_history.h"

#include "core/format.h"
#include "hypervisor/core/exit_reason.h"

namespace hv {

size_t exit_history_line(const ExitHistory& h, size_t i, char* buf, size_t n) {
    const ExitRecord& e = h[i];
    const uint16_t basic = uint16_t(e.reason & 0xFFFF);
    return kern::snformat(buf, n, "  %3ld  %s (%u)%s  qualification %#lx  RIP %#lx",
                          long(i) - long(h.size()), exit_reason_name(basic), basic,
                          (e.reason >> 31) ? " (entry failed)" : "", e.qualification, e.rip);
}

} // namespace hv
