#include "hypervisor/core/guest_outcome.h"

namespace hv {

const char* guest_end_name(GuestEnd e) {
    switch (e) {
    case GuestEnd::halted:
        return "halted";
    case GuestEnd::exited:
        return "exited";
    case GuestEnd::ept_violation:
        return "EPT violation";
    case GuestEnd::triple_fault:
        return "triple fault";
    case GuestEnd::budget_exhausted:
        return "time budget exhausted";
    case GuestEnd::entry_failed:
        return "VM entry failed";
    case GuestEnd::unhandled_exit:
        return "unhandled exit";
    case GuestEnd::too_many_exits:
        return "too many exits";
    case GuestEnd::vmcs_failed:
        return "VMCS access failed";
    }
    return "?";
}

const char* guest_end_token(GuestEnd e) {
    switch (e) {
    case GuestEnd::halted:
        return "halted";
    case GuestEnd::exited:
        return "exited";
    case GuestEnd::ept_violation:
        return "ept_violation";
    case GuestEnd::triple_fault:
        return "triple_fault";
    case GuestEnd::budget_exhausted:
        return "budget_exhausted";
    case GuestEnd::entry_failed:
        return "entry_failed";
    case GuestEnd::unhandled_exit:
        return "unhandled_exit";
    case GuestEnd::too_many_exits:
        return "too_many_exits";
    case GuestEnd::vmcs_failed:
        return "vmcs_failed";
    }
    return "unknown";
}

} // namespace hv
