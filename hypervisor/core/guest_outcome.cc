#include "hypervisor/core/guest_outcome.h"

namespace hv {

namespace {
/// Each GuestEnd's names, in enum order: for people, and as one token for `@@` lines.
struct EndNames {
    const char* name;
    const char* token;
};
constexpr EndNames END_NAMES[] = {
    {"halted", "halted"},
    {"exited", "exited"},
    {"EPT violation", "ept_violation"},
    {"triple fault", "triple_fault"},
    {"time budget exhausted", "budget_exhausted"},
    {"VM entry failed", "entry_failed"},
    {"unhandled exit", "unhandled_exit"},
    {"too many exits", "too_many_exits"},
    {"VMCS access failed", "vmcs_failed"},
};
static_assert(sizeof END_NAMES / sizeof END_NAMES[0] == size_t(GuestEnd::vmcs_failed) + 1,
              "a name for every GuestEnd");
} // namespace

const char* guest_end_name(GuestEnd e) {
    return size_t(e) < sizeof END_NAMES / sizeof END_NAMES[0] ? END_NAMES[size_t(e)].name : "?";
}

const char* guest_end_token(GuestEnd e) {
    return size_t(e) < sizeof END_NAMES / sizeof END_NAMES[0] ? END_NAMES[size_t(e)].token
                                                              : "unknown";
}

} // namespace hv
