#include "hypervisor/core/slave/icr_filter.h"

namespace hv {

const char* icr_verdict_token(IcrVerdict v) {
    switch (v) {
    case IcrVerdict::allow:
        return "allow";
    case IcrVerdict::deny_delivery_mode:
        return "deny_delivery_mode";
    case IcrVerdict::deny_vector:
        return "deny_vector";
    case IcrVerdict::deny_broadcast:
        return "deny_broadcast";
    case IcrVerdict::deny_logical:
        return "deny_logical";
    case IcrVerdict::deny_destination:
        return "deny_destination";
    }
    return "unknown";
}

} // namespace hv
